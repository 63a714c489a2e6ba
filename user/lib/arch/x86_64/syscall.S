/* long raw_syscall(long number, long a0, long a1, long a2, long a3, long a4, long a5)
 *
 * The System V calling convention passes number..a4 in rdi, rsi, rdx, rcx, r8, r9 and a5 on
 * the stack; the kernel wants rax = number and the arguments in rdi, rsi, rdx, r10, r8, r9
 * (include/uapi/syscall.h; r10 because SYSCALL itself overwrites rcx with the return address).
 * The result (>= 0, or -errno) comes back in rax. */
    .section .text
    .globl raw_syscall
    .type raw_syscall, @function
raw_syscall:
    movq %rdi, %rax
    movq %rsi, %rdi
    movq %rdx, %rsi
    movq %rcx, %rdx
    movq %r8, %r10
    movq %r9, %r8
    movq 8(%rsp), %r9
    syscall
    ret
    .size raw_syscall, . - raw_syscall

    .section .note.GNU-stack, "", @progbits
