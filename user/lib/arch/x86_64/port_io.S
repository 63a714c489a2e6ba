/* Port I/O for user-mode drivers (user/lib/port_io.h). In ring 3 these instructions succeed
 * only for ports the kernel granted with ioperm(): for any other port the CPU raises #GP and
 * the kernel ends the program with a message naming the port. */
    .section .text
    .globl port_in8, port_in16, port_in32, port_out8, port_out16, port_out32

/* u8 port_in8(u16 port) */
port_in8:
    movw %di, %dx
    xorl %eax, %eax
    inb %dx, %al
    ret
port_in16:
    movw %di, %dx
    xorl %eax, %eax
    inw %dx, %ax
    ret
port_in32:
    movw %di, %dx
    inl %dx, %eax
    ret
/* void port_out8(u16 port, u8 value) */
port_out8:
    movw %di, %dx
    movl %esi, %eax
    outb %al, %dx
    ret
port_out16:
    movw %di, %dx
    movl %esi, %eax
    outw %ax, %dx
    ret
port_out32:
    movw %di, %dx
    movl %esi, %eax
    outl %eax, %dx
    ret

    .section .note.GNU-stack, "", @progbits
