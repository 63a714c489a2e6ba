"""Key names for QMP `send-key`: QEMU qcodes, key combinations, and text typed on a US keyboard.

A combination is written the way QEMU's HMP `sendkey` writes it: qcodes joined by '-', the
modifiers first, e.g. "shift-a", "ctrl-u", "ctrl-alt-f1", "caps_lock", "ret". No qcode contains
a '-' (the minus key is "minus"), so splitting at '-' is unambiguous. `send-key` presses the
keys in order and releases them in reverse order after the hold time.
"""
from __future__ import annotations

# QKeyCode of QEMU 7.2, from `query-qmp-schema` (the enum behind send-key's "qcode").
QCODES = frozenset("""
unmapped shift shift_r alt alt_r ctrl ctrl_r menu esc 1 2 3 4 5 6 7 8 9 0 minus equal backspace
tab q w e r t y u i o p bracket_left bracket_right ret a s d f g h j k l semicolon apostrophe
grave_accent backslash z x c v b n m comma dot slash asterisk spc caps_lock f1 f2 f3 f4 f5 f6 f7
f8 f9 f10 num_lock scroll_lock kp_divide kp_multiply kp_subtract kp_add kp_enter kp_decimal sysrq
kp_0 kp_1 kp_2 kp_3 kp_4 kp_5 kp_6 kp_7 kp_8 kp_9 less f11 f12 print home pgup pgdn end left up
down right insert delete stop again props undo front copy open paste find cut lf help meta_l
meta_r compose pause ro hiragana henkan yen muhenkan katakanahiragana kp_comma kp_equals power
sleep wake audionext audioprev audiostop audioplay audiomute volumeup volumedown mediaselect mail
calculator computer ac_home ac_back ac_forward ac_refresh ac_bookmarks lang1 lang2
""".split())

# Friendlier spellings accepted in rubrics; the qcode is what QEMU receives.
ALIASES = {"enter": "ret", "return": "ret", "space": "spc", "escape": "esc", "del": "delete",
           "control": "ctrl", "pageup": "pgup", "pagedown": "pgdn", "capslock": "caps_lock"}

# Characters on an unshifted US keyboard, and the ones that need shift.
_PLAIN = {" ": "spc", "-": "minus", "=": "equal", "[": "bracket_left", "]": "bracket_right",
          "\\": "backslash", ";": "semicolon", "'": "apostrophe", "`": "grave_accent",
          ",": "comma", ".": "dot", "/": "slash", "\n": "ret", "\r": "ret", "\t": "tab",
          "\b": "backspace", "\x1b": "esc"}
_SHIFTED = {"!": "1", "@": "2", "#": "3", "$": "4", "%": "5", "^": "6", "&": "7", "*": "8",
            "(": "9", ")": "0", "_": "minus", "+": "equal", "{": "bracket_left",
            "}": "bracket_right", "|": "backslash", ":": "semicolon", '"': "apostrophe",
            "~": "grave_accent", "<": "comma", ">": "dot", "?": "slash"}


class KeyNameError(ValueError):
    """A key name or a character that cannot be sent; the message says which and why."""


def parse_combo(combo: str) -> list[str]:
    """"ctrl-alt-f1" -> ["ctrl", "alt", "f1"], every name checked against QEMU's qcodes."""
    if not combo:
        raise KeyNameError("empty key name")
    out = []
    for part in combo.split("-"):
        name = ALIASES.get(part.lower(), part.lower())
        if name not in QCODES:
            raise KeyNameError(f"'{part}' in '{combo}' is not a QEMU key name (qcode), "
                            "e.g. a, shift, ctrl, ret, spc, backspace, caps_lock, f1, up")
        out.append(name)
    return out


def char_keys(char: str) -> list[str]:
    """The keys (modifier first) that type one character on a US keyboard."""
    if "a" <= char <= "z" or "0" <= char <= "9":
        return [char]
    if "A" <= char <= "Z":
        return ["shift", char.lower()]
    if char in _PLAIN:
        return [_PLAIN[char]]
    if char in _SHIFTED:
        return ["shift", _SHIFTED[char]]
    code = ord(char)
    if 1 <= code <= 26:                 # ^A..^Z, other than \b \t \n \r handled above
        return ["ctrl", chr(ord("a") + code - 1)]
    raise KeyNameError(f"cannot type {char!r} on a US keyboard; use keys = [...] with qcode names")


def text_keys(text: str) -> list[list[str]]:
    """One send-key per character: "Hi\\n" -> [["shift", "h"], ["i"], ["ret"]]."""
    return [char_keys(c) for c in text]


def describe(combo: list[str]) -> str:
    return "-".join(combo)
