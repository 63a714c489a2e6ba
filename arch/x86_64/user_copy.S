/* Copies that touch user memory and may fault (include/arch/user.h: copy_from_user & co.).
 *
 * The callers have checked that the user range lies below the user limit; what they cannot
 * know is whether every page is mapped (and writable, for a copy to user). A page fault whose
 * RIP is inside [user_access_begin, user_access_end) is therefore not a kernel bug: the fault
 * handler (exceptions.cpp) moves RIP to the matching fixup label below, which returns failure.
 * This is Linux's exception table with exactly one entry per routine.
 *
 * REP MOVSB leaves RCX at the number of bytes not yet copied when it faults (SDM vol. 2B,
 * "REP": a fault inside a repeated string instruction updates the count and pointers). */

    .section .text
    .globl user_access_begin
user_access_begin:

/* usize arch_user_copy(void* dst (rdi), void const* src (rsi), usize size (rdx)):
 * returns the number of bytes NOT copied (0 = success). */
    .globl arch_user_copy
    .type arch_user_copy, @function
arch_user_copy:
    movq %rdx, %rcx
    rep movsb
    xorl %eax, %eax
    ret
    .globl arch_user_copy_fixup
arch_user_copy_fixup:
    movq %rcx, %rax
    ret
    .size arch_user_copy, . - arch_user_copy

/* i64 arch_user_string_copy(char* dst (rdi), char const* src (rsi), usize max (rdx)):
 * copies bytes until and including a NUL, at most max bytes. Returns the length without the
 * NUL, max when no NUL came within max bytes, -1 on a fault. */
    .globl arch_user_string_copy
    .type arch_user_string_copy, @function
arch_user_string_copy:
    xorl %eax, %eax
1:  cmpq %rdx, %rax
    je 2f
    movb (%rsi,%rax), %cl
    movb %cl, (%rdi,%rax)
    testb %cl, %cl
    jz 2f
    incq %rax
    jmp 1b
2:  ret
    .globl arch_user_string_copy_fixup
arch_user_string_copy_fixup:
    movq $-1, %rax
    ret
    .size arch_user_string_copy, . - arch_user_string_copy

    .globl user_access_end
user_access_end:

    .section .note.GNU-stack, "", @progbits
