/* Entry stubs for all 256 vectors. Each pushes a dummy error code where the CPU does not push
 * one, then its vector number, and jumps to a common path that saves the general registers as
 * an arch::InterruptFrame and calls interrupt_dispatch(frame). */

#include <arch/interrupt_frame.inc>

    .altmacro
    .section .text

.macro STUB vector
    .balign 16
stub_\vector:
    /* exceptions that push an error code: 8, 10-14, 17, 21, 29, 30 */
    .if (\vector == 8) || ((\vector >= 10) && (\vector <= 14)) || (\vector == 17) || (\vector == 21) || (\vector == 29) || (\vector == 30)
    .else
    pushq $0
    .endif
    pushq $\vector
    jmp interrupt_common
.endm

    .globl interrupt_stubs_start
interrupt_stubs_start:
.set i, 0
.rept 256
    STUB %i
.set i, i + 1
.endr

interrupt_common:
    cld
    PUSH_GENERAL_REGISTERS
    mov %rsp, %rdi
    /* a frame record so backtraces walk from the handler into the interrupted code:
     * fake "return address" = interrupted RIP, saved RBP = interrupted RBP */
    pushq FRAME_RIP(%rsp)       /* frame->rip */
    pushq %rbp
    mov %rsp, %rbp
    call interrupt_dispatch
    add $16, %rsp
    .globl interrupt_return
interrupt_return:
    POP_GENERAL_REGISTERS
    add $16, %rsp               /* vector and error code */
    iretq

/* Addresses of the 256 stubs, for building the IDT. */
    .section .rodata
    .balign 8
    .globl interrupt_stub_table
interrupt_stub_table:
.set i, 0
.macro STUB_ADDRESS vector
    .quad stub_\vector
.endm
.rept 256
    STUB_ADDRESS %i
.set i, i + 1
.endr

    .section .note.GNU-stack, "", @progbits
