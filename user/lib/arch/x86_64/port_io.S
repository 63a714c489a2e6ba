/* Port I/O for user-mode drivers (user/lib/port_io.h). In ring 3 these instructions succeed
 * only for ports the kernel granted with ioperm(): for any other port the CPU raises #GP and
 * the kernel ends the program with a message naming the port. Each function keeps a frame
 * pointer, so that the report's caller chain includes the function that did the I/O. */
    .section .text
    .globl port_in8, port_in16, port_in32, port_out8, port_out16, port_out32

/* u8 port_in8(u16 port) */
port_in8:
    pushq %rbp
    movq %rsp, %rbp
    movw %di, %dx
    xorl %eax, %eax
    inb %dx, %al
    popq %rbp
    ret
port_in16:
    pushq %rbp
    movq %rsp, %rbp
    movw %di, %dx
    xorl %eax, %eax
    inw %dx, %ax
    popq %rbp
    ret
port_in32:
    pushq %rbp
    movq %rsp, %rbp
    movw %di, %dx
    inl %dx, %eax
    popq %rbp
    ret
/* void port_out8(u16 port, u8 value) */
port_out8:
    pushq %rbp
    movq %rsp, %rbp
    movw %di, %dx
    movl %esi, %eax
    outb %al, %dx
    popq %rbp
    ret
port_out16:
    pushq %rbp
    movq %rsp, %rbp
    movw %di, %dx
    movl %esi, %eax
    outw %ax, %dx
    popq %rbp
    ret
port_out32:
    pushq %rbp
    movq %rsp, %rbp
    movw %di, %dx
    movl %esi, %eax
    outl %eax, %dx
    popq %rbp
    ret

    .section .note.GNU-stack, "", @progbits
