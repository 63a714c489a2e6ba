"""Key names and text-to-qcode mapping; decoding the VGA text buffer."""
import unittest

from peer_support import screen_with, xp_text
from harness import keys, vga


class Keys(unittest.TestCase):
    def test_characters(self):
        expected = {"a": ["a"], "z": ["z"], "7": ["7"], "A": ["shift", "a"], "!": ["shift", "1"],
                    "?": ["shift", "slash"], " ": ["spc"], "\n": ["ret"], "\t": ["tab"],
                    "\b": ["backspace"], "\x1b": ["esc"], "\x15": ["ctrl", "u"],
                    "\x03": ["ctrl", "c"], "-": ["minus"], "_": ["shift", "minus"],
                    "'": ["apostrophe"], '"': ["shift", "apostrophe"], "~": ["shift", "grave_accent"]}
        for char, combo in expected.items():
            with self.subTest(char=char):
                self.assertEqual(keys.char_keys(char), combo)

    def test_every_printable_ascii_character_is_typable(self):
        for code in range(0x20, 0x7F):
            for key in keys.char_keys(chr(code)):
                self.assertIn(key, keys.QCODES)

    def test_text(self):
        self.assertEqual(keys.text_keys("Hi, W\n"), [["shift", "h"], ["i"], ["comma"], ["spc"],
                                                    ["shift", "w"], ["ret"]])

    def test_untypable(self):
        for char in ("é", "\x00", "\x7f", "€"):
            with self.subTest(char=repr(char)), self.assertRaises(keys.KeyNameError):
                keys.char_keys(char)

    def test_combos(self):
        self.assertEqual(keys.parse_combo("shift-a"), ["shift", "a"])
        self.assertEqual(keys.parse_combo("ctrl-alt-f1"), ["ctrl", "alt", "f1"])
        self.assertEqual(keys.parse_combo("ctrl-minus"), ["ctrl", "minus"])
        self.assertEqual(keys.parse_combo("Enter"), ["ret"])
        self.assertEqual(keys.parse_combo("caps_lock"), ["caps_lock"])
        for bad in ("", "shift-", "shft-a", "ctrl-ü", "a b"):
            with self.subTest(bad=bad), self.assertRaises(keys.KeyNameError):
                keys.parse_combo(bad)

    def test_qcode_list_is_qemu_7_2(self):
        self.assertEqual(len(keys.QCODES), 150)
        self.assertTrue({"ret", "spc", "kp_enter", "lang2", "ac_bookmarks"} <= keys.QCODES)


class Vga(unittest.TestCase):
    def test_decode_lines(self):
        data = screen_with({0: "Hello, World", 24: "bottom line  "})
        lines = vga.screen_lines(data)
        self.assertEqual(len(lines), 25)
        self.assertEqual(lines[0], "Hello, World")
        self.assertEqual(lines[1], "")
        self.assertEqual(lines[24], "bottom line")

    def test_cells_and_attributes(self):
        data = bytearray(screen_with({}))
        data[0:4] = bytes([ord("X"), 0x1F, 0xB3, 0x4E])
        self.assertEqual(vga.cells(bytes(data))[:2], [(ord("X"), 0x1F), (0xB3, 0x4E)])
        self.assertEqual(vga.screen_lines(bytes(data))[0], "X│")
        self.assertTrue(vga.attribute_lines(bytes(data))[0].startswith("1f 4e 07"))

    def test_nul_and_control_cells(self):
        data = bytearray(vga.SIZE)             # never written: all zero
        data[2] = 0x01
        self.assertEqual(vga.screen_lines(bytes(data))[0], " ☺")
        self.assertEqual(vga.screen_lines(b"")[0], "")    # short data reads as blank

    def test_xp_round_trip(self):
        data = screen_with({3: "from xp"}, attr=0x2A)
        self.assertEqual(vga.parse_xp(xp_text(data)), data)

    def test_xp_rejects_garbage_and_gaps(self):
        with self.assertRaises(ValueError):
            vga.parse_xp("Cannot access memory\n")
        with self.assertRaises(ValueError):
            vga.parse_xp("00000000000b8000: 0x0720\n00000000000b8010: 0x0720\n")

    def test_check_screen(self):
        text = vga.screen_text(screen_with({0: "conduit> ls", 1: "kernel.elf"}))
        self.assertEqual(vga.check_screen(text, ["^conduit> ls$", "elf$"], ["PANIC"], "vga.txt"), [])
        problems = vga.check_screen(text, ["^Hello"], ["kernel"], "vga.txt")
        self.assertEqual(len(problems), 2)
        self.assertIn("no line matching /^Hello/", problems[0])
        self.assertIn("'conduit> ls' | 'kernel.elf'", problems[0])
        self.assertIn("must not match /kernel/, but shows 'kernel.elf'", problems[1])
        blank = vga.screen_text(bytes(vga.SIZE))
        self.assertIn("a blank screen", vga.check_screen(blank, ["x"], [], "s")[0])


if __name__ == "__main__":
    unittest.main()
