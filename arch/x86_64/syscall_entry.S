/* The way into the kernel through SYSCALL, and the two ways back to ring 3 (include/arch/user.h).
 *
 * SYSCALL (Intel SDM vol. 2B) saves the user RIP in RCX and RFLAGS in R11, clears the RFLAGS
 * bits in SFMASK (IF among them, so nothing interrupts us before we are on a kernel stack),
 * loads the kernel CS/SS from STAR and jumps here -- with the user's RSP still loaded. We switch
 * to the thread's kernel stack and build an arch::InterruptFrame exactly like the interrupt
 * stubs do, so a user thread's registers always sit at the top of its kernel stack in one
 * layout, whichever way it entered.
 *
 * Back to ring 3: SYSRET is the fast way, but it loads RIP from RCX without the canonical check
 * an IRET makes, and on Intel a non-canonical RCX raises #GP in ring 0 on the *user* stack.
 * So SYSRET is taken only when the saved RIP is below the user limit; otherwise (an exec that
 * set another RIP is fine either way) IRETQ. The first entry to user mode uses IRETQ too. */

#include <arch/interrupt_frame.inc>

#define USER_DATA_SELECTOR (0x18 | 3)
#define USER_CODE_SELECTOR (0x20 | 3)
#define USER_LIMIT_HIGH 0x00008000     /* USER_LIMIT >> 32 */
#define SYSCALL_VECTOR_MARK 0x100      /* frame->vector of a system call: no CPU vector is that */

    .section .bss
    .balign 8
    .globl syscall_kernel_stack
syscall_kernel_stack:          /* top of the current thread's kernel stack (set_kernel_entry_stack) */
    .quad 0
syscall_user_rsp:              /* the user RSP, for the moment between entry and the first push */
    .quad 0

    .section .text


    .globl syscall_entry
    .type syscall_entry, @function
syscall_entry:
    /* Interrupts are off (SFMASK), so on one CPU nothing can use these two words meanwhile. */
    movq %rsp, syscall_user_rsp(%rip)
    movq syscall_kernel_stack(%rip), %rsp
    pushq $USER_DATA_SELECTOR          /* ss */
    pushq syscall_user_rsp(%rip)       /* rsp */
    pushq %r11                         /* rflags */
    pushq $USER_CODE_SELECTOR          /* cs */
    pushq %rcx                         /* rip */
    pushq $0                           /* error code */
    pushq $SYSCALL_VECTOR_MARK         /* vector */
    cld
    PUSH_GENERAL_REGISTERS
    movq %rsp, %rdi
    /* A frame record so that a backtrace taken inside the call ends at the user RIP. */
    pushq FRAME_RIP(%rsp)
    pushq %rbp
    movq %rsp, %rbp
    sti
    call syscall_dispatch_from_entry
    cli
    addq $16, %rsp
    jmp user_return_with_frame
    .size syscall_entry, . - syscall_entry

/* rsp points at a complete InterruptFrame for ring 3; interrupts are off. */
    .globl user_return_with_frame
    .type user_return_with_frame, @function
user_return_with_frame:
    movq FRAME_RIP(%rsp), %rax
    shrq $32, %rax
    cmpq $USER_LIMIT_HIGH, %rax
    jae .Liret_path
    POP_GENERAL_REGISTERS
    addq $16, %rsp                     /* vector and error code */
    movq 0(%rsp), %rcx                 /* rip: SYSRET loads RIP from RCX */
    movq 16(%rsp), %r11                /* rflags: and RFLAGS from R11 */
    movq 24(%rsp), %rsp                /* the user stack: from here on no kernel data is used */
    sysretq
.Liret_path:
    POP_GENERAL_REGISTERS
    addq $16, %rsp
    iretq
    .size user_return_with_frame, . - user_return_with_frame

/* [[noreturn]] void arch_enter_user_frame(InterruptFrame const* registers (rdi),
 *                                         u64 kernel_stack_top (rsi)), interrupts off:
 * copies *registers to the top of the kernel stack, over the frames of the caller's own call
 * chain (hence no call and no stack use here), and returns to ring 3 with them. */
    .globl arch_enter_user_frame
    .type arch_enter_user_frame, @function
arch_enter_user_frame:
    leaq -FRAME_SIZE(%rsi), %rsp
    movq %rdi, %rsi
    movq %rsp, %rdi
    movl $(FRAME_SIZE / 8), %ecx
    cld
    rep movsq
    jmp user_return_with_frame
    .size arch_enter_user_frame, . - arch_enter_user_frame

    .section .note.GNU-stack, "", @progbits
