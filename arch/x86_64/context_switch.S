/* Thread switching (the arch half of kernel/sched; interface in include/kernel/sched/context.h).
 *
 * A switch is an ordinary call as far as the compiler is concerned: the caller has already
 * saved the caller-saved registers it needs, so only the System V callee-saved ones (rbx, rbp,
 * r12-r15) and the stack pointer are kept. They go on the old thread's own stack, and only rsp
 * is stored in its ThreadContext. Interrupts are off across the switch (the scheduler's rule);
 * RFLAGS is not switched: each thread resumes in code that restores the interrupt state it
 * saved itself. No FPU/SSE state: the kernel is built with -mgeneral-regs-only. */

    .section .text

/* void arch_context_switch(ThreadContext* from (rdi), ThreadContext const* to (rsi)) */
    .globl arch_context_switch
    .type arch_context_switch, @function
arch_context_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq (%rsi), %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size arch_context_switch, . - arch_context_switch

/* First code of every new thread: the frame built by arch::prepare_thread_context "returns"
 * here with r12 = start, r13 = arg, rbp = 0 and rsp 16-byte aligned at the top of the stack.
 * start(arg) never returns (it ends in sched::exit); ud2 makes a return impossible to miss.
 * rbp = 0 ends the frame-pointer chain: backtraces stop cleanly below start's frame. */
    .globl arch_thread_trampoline
    .type arch_thread_trampoline, @function
arch_thread_trampoline:
    movq %r13, %rdi
    call *%r12
    ud2
    .size arch_thread_trampoline, . - arch_thread_trampoline

    .section .note.GNU-stack, "", @progbits
