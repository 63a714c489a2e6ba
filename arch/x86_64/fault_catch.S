/* A minimal setjmp/longjmp for catching CPU exceptions in tests (arch::run_catching_faults).
 * FaultJumpBuffer layout: rbx, rbp, r12, r13, r14, r15, rsp, rip, rflags (9 quads). */
    .section .text
    .globl fault_setjmp
fault_setjmp:                   /* int fault_setjmp(FaultJumpBuffer* rdi) */
    mov %rbx, 0(%rdi)
    mov %rbp, 8(%rdi)
    mov %r12, 16(%rdi)
    mov %r13, 24(%rdi)
    mov %r14, 32(%rdi)
    mov %r15, 40(%rdi)
    lea 8(%rsp), %rax           /* the caller's rsp after our return */
    mov %rax, 48(%rdi)
    mov (%rsp), %rax            /* our return address */
    mov %rax, 56(%rdi)
    pushfq
    popq 64(%rdi)
    xor %eax, %eax
    ret

    .globl fault_longjmp
fault_longjmp:                  /* [[noreturn]] void fault_longjmp(FaultJumpBuffer* rdi) */
    mov 0(%rdi), %rbx
    mov 8(%rdi), %rbp
    mov 16(%rdi), %r12
    mov 24(%rdi), %r13
    mov 32(%rdi), %r14
    mov 40(%rdi), %r15
    mov 48(%rdi), %rsp
    pushq 64(%rdi)
    popfq                       /* restores the interrupt flag the catcher had */
    mov $1, %eax
    jmp *56(%rdi)

    .section .note.GNU-stack, "", @progbits
