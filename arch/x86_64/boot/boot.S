/* Multiboot2 entry: GRUB jumps here in 32-bit protected mode, paging off (multiboot2 spec,
 * "I386 machine state"): EAX = 0x36d76289, EBX = physical address of the boot information.
 *
 * We build the boot page tables, enable PAE + long mode + paging, load a 64-bit GDT and jump to
 * the higher half. The boot page tables map
 *   physical 0..1 GiB at 0 (identity, so this code keeps running after paging is on),
 *   physical 0..1 GiB at KERNEL_VMA (where the image is linked),
 *   physical 0..4 GiB at PHYS_MAP_BASE (the direct map; mm::init rebuilds all of this properly).
 * All with 2 MiB pages. Symbols are linked in the higher half, so 32-bit code uses PHYS(sym). */

#define KERNEL_VMA 0xffffffff80000000
#define PHYS(sym) ((sym) - KERNEL_VMA)
#define MB2_MAGIC 0xe85250d6
#define MB2_BOOT_MAGIC 0x36d76289
#define MB2_ARCH_I386 0

#define PTE_PRESENT 0x1
#define PTE_WRITE 0x2
#define PTE_LARGE 0x80

    .section .multiboot2, "a"
    .balign 8
mb2_header:
    .long MB2_MAGIC
    .long MB2_ARCH_I386
    .long mb2_header_end - mb2_header
    .long -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
    /* information request tag (type 1, optional): ask for everything we parse */
    .balign 8
1:  .short 1
    .short 1        /* optional */
    .long 2f - 1b
    .long 1, 2, 3, 4, 6, 8, 9, 14, 15
2:
    /* entry address tag (type 3): the physical address of the 32-bit entry point, because
     * the ELF entry is a higher-half address GRUB cannot jump to */
    .balign 8
1:  .short 3
    .short 0
    .long 2f - 1b
    .long PHYS(_start32)
2:
    /* module alignment tag (type 6): modules page-aligned */
    .balign 8
    .short 6
    .short 0
    .long 8
    /* end tag */
    .balign 8
    .short 0
    .short 0
    .long 8
mb2_header_end:

    .section .boot.bss, "aw", @nobits
    .balign 4096
boot_pml4:      .skip 4096
boot_pdpt_low:  .skip 4096  /* PML4[0]: identity 0..1 GiB */
boot_pdpt_high: .skip 4096  /* PML4[511]: KERNEL_VMA */
boot_pdpt_phys: .skip 4096  /* PML4[256]: PHYS_MAP_BASE */
boot_pd_1g:     .skip 4096  /* 0..1 GiB in 2 MiB pages, shared by all three */
boot_pd_phys:   .skip 4096 * 4  /* 0..4 GiB in 2 MiB pages */
    .balign 16
boot_stack_bottom:
    .skip 16384
    .globl boot_stack_top
boot_stack_top:

    .section .boot.text, "ax"
    .code32
    .globl _start32
_start32:
    cli
    cld
    mov $PHYS(boot_stack_top), %esp
    mov %eax, %edi              /* keep magic and MBI pointer for kernel_main */
    mov %ebx, %esi

    cmp $MB2_BOOT_MAGIC, %eax
    jne .Lno_multiboot

    /* long mode needs CPUID 0x80000001 EDX bit 29 */
    mov $0x80000000, %eax
    cpuid
    cmp $0x80000001, %eax
    jb .Lno_long_mode
    mov $0x80000001, %eax
    cpuid
    test $(1 << 29), %edx
    jz .Lno_long_mode

    /* PD for 0..1 GiB: 512 x 2 MiB */
    mov $PHYS(boot_pd_1g), %ebx
    xor %ecx, %ecx
1:  mov %ecx, %eax
    shl $21, %eax
    or $(PTE_PRESENT | PTE_WRITE | PTE_LARGE), %eax
    mov %eax, (%ebx, %ecx, 8)
    movl $0, 4(%ebx, %ecx, 8)
    inc %ecx
    cmp $512, %ecx
    jne 1b

    /* 4 PDs for 0..4 GiB: 2048 x 2 MiB (addresses above 4 GiB need the high dword) */
    mov $PHYS(boot_pd_phys), %ebx
    xor %ecx, %ecx
1:  mov %ecx, %eax
    shl $21, %eax
    or $(PTE_PRESENT | PTE_WRITE | PTE_LARGE), %eax
    mov %eax, (%ebx, %ecx, 8)
    mov %ecx, %eax
    shr $11, %eax
    mov %eax, 4(%ebx, %ecx, 8)
    inc %ecx
    cmp $2048, %ecx
    jne 1b

    /* PDPTs */
    mov $PHYS(boot_pd_1g), %eax
    or $(PTE_PRESENT | PTE_WRITE), %eax
    mov %eax, PHYS(boot_pdpt_low)
    mov %eax, PHYS(boot_pdpt_high) + 510 * 8     /* 0xffffffff80000000 is PDPT index 510 */
    mov $PHYS(boot_pdpt_phys), %ebx
    mov $PHYS(boot_pd_phys), %eax
    or $(PTE_PRESENT | PTE_WRITE), %eax
    xor %ecx, %ecx
1:  mov %eax, (%ebx, %ecx, 8)
    add $4096, %eax
    inc %ecx
    cmp $4, %ecx
    jne 1b

    /* PML4 */
    mov $PHYS(boot_pdpt_low), %eax
    or $(PTE_PRESENT | PTE_WRITE), %eax
    mov %eax, PHYS(boot_pml4)
    mov $PHYS(boot_pdpt_phys), %eax
    or $(PTE_PRESENT | PTE_WRITE), %eax
    mov %eax, PHYS(boot_pml4) + 256 * 8
    mov $PHYS(boot_pdpt_high), %eax
    or $(PTE_PRESENT | PTE_WRITE), %eax
    mov %eax, PHYS(boot_pml4) + 511 * 8

    /* CR4.PAE, EFER.LME (+NXE, so mm can use NX), CR3, CR0.PG|WP */
    mov %cr4, %eax
    or $(1 << 5), %eax
    mov %eax, %cr4
    mov $PHYS(boot_pml4), %eax
    mov %eax, %cr3
    mov $0xC0000080, %ecx
    rdmsr
    or $((1 << 8) | (1 << 11)), %eax
    wrmsr
    mov %cr0, %eax
    or $((1 << 31) | (1 << 16)), %eax
    mov %eax, %cr0

    lgdt PHYS(boot_gdt_pointer)
    ljmp $0x08, $PHYS(.Llong_mode_low)

.Lno_multiboot:
    mov $PHYS(msg_no_multiboot), %esi
    jmp .Lfail32
.Lno_long_mode:
    mov $PHYS(msg_no_long_mode), %esi
.Lfail32:
    /* print to the QEMU debug console and COM1, then stop */
1:  lodsb
    test %al, %al
    jz 2f
    mov $0xe9, %dx
    outb %al, %dx
    mov $0x3f8, %dx
    outb %al, %dx
    jmp 1b
2:  mov $0x12, %al          /* isa-debug-exit: panic code */
    mov $0xf4, %dx
    outb %al, %dx
3:  hlt
    jmp 3b

    .code64
.Llong_mode_low:
    movabs $.Lhigher_half, %rax
    jmp *%rax

    .section .text
    /* a named symbol, so backtraces end in "higher_half_entry" rather than a stray label */
    .globl higher_half_entry
    .type higher_half_entry, @function
higher_half_entry:
.Lhigher_half:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    xor %ax, %ax
    mov %ax, %fs
    mov %ax, %gs
    movabs $boot_stack_top, %rsp
    xor %ebp, %ebp              /* ends the frame-pointer chain for backtraces */
    /* kernel_main(u32 magic, u32 mbi_phys): EDI/ESI already hold them (zero-extended) */
    mov %edi, %edi
    mov %esi, %esi
    call kernel_main
1:  cli
    hlt
    jmp 1b

    .section .rodata
    .balign 16
boot_gdt:
    .quad 0
    .quad 0x00af9a000000ffff    /* 0x08: 64-bit code */
    .quad 0x00cf92000000ffff    /* 0x10: data */
boot_gdt_end:
    .balign 16
boot_gdt_pointer:
    .short boot_gdt_end - boot_gdt - 1
    .quad PHYS(boot_gdt)
msg_no_multiboot:
    .asciz "conduit: not loaded by a multiboot2 boot loader\n"
msg_no_long_mode:
    .asciz "conduit: this CPU has no long mode (x86_64)\n"

    .section .note.GNU-stack, "", @progbits
