/* The first instruction of every user program. The kernel starts it with rdi = argc, rsi =
 * argv and a 16-byte aligned stack (kernel/proc/loader.h); rbp = 0 ends the frame chain that
 * fault reports walk. start_main never returns. */
    .section .text
    .globl _start
    .type _start, @function
_start:
    xorl %ebp, %ebp
    call start_main
    ud2
    .size _start, . - _start

    .section .note.GNU-stack, "", @progbits
