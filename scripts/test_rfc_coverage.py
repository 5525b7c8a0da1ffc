#!/usr/bin/env python3
"""Self-test of scripts/rfc_coverage.py: which places in a C file credit an RFC row
to a test function, and which do not. Run by `meson test rfc-coverage-parser`."""
import os
import sys
import unittest

# no __pycache__ in the source tree
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import rfc_coverage as cov  # noqa: E402

# Every row below is named in exactly one place, so each assertion says which
# place credits a row and which does not.
FIXTURE = r"""
/*
 * File header: this file proves R1 and N1.
 */
#include <cmocka.h>
#define OPEN {          /* R2 in a directive, and an unbalanced brace */
#define TEXT "}"  R3

/* ======================================================== */
/* R4 R5: a section banner                                  */
/* ======================================================== */

typedef struct step { int a; const char *s; } step_t;

/* R6: the comment above a table */
static const step_t sc_R8_named[] = {
    {1, "x"},
};

static const step_t sc_used[] = {
    {1, "}"},   /* R10 inside a referenced table */
    {2, "{"},
};

static const step_t sc_unused[] = {
    {3, "y"},   /* R11 inside a table no test references */
};

static const step_t *const sc_indirect[] = { sc_used };   /* R12 */

/* R13 above a helper */
static void helper(const step_t *s)
{
    /* R14 inside a helper that the test calls */
    (void)s;
}

/* R15: the comment above the test */
static void test_R16_n8_named(void **state)
{
    (void)state;
    const char *brace = "}}} R17 in a string {";
    char c = '}';
    char d = '\'';
    /* } R18 in a comment, with a stray brace { */
    // R19 in a line comment }
    helper(sc_used);
    (void)brace; (void)c; (void)d;
    if (1) {
        int x = 0; /* R20 in a nested block */
        (void)x;
    }
}

static void test_refs_named_table(void **state)
{
    (void)state;
    helper(sc_R8_named);
}

/* sc_unused and R21 in a comment are not a reference */
static void test_mentions_in_comment_only(void **state)
{
    (void)state;
    /* sc_unused */
    const char *s = "sc_unused";
    (void)s;
}

static void test_R22_not_registered(void **state)
{
    (void)state; /* R23 */
}

static void test_after_everything(void **state)
{
    (void)state; /* R24 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_R16_n8_named),           /* R25 */
        cmocka_unit_test(test_refs_named_table),       /* R26 */
        cmocka_unit_test_teardown(test_mentions_in_comment_only, NULL),
        cmocka_unit_test(test_after_everything),
    };
    /* R27 in main */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
"""


class Attribution(unittest.TestCase):
    def setUp(self):
        self.res = cov.scan_source(FIXTURE)

    def credited(self):
        rows = set()
        for r in self.res.values():
            rows |= r
        return rows

    def test_tests_found(self):
        self.assertEqual(
            set(self.res),
            {"test_R16_n8_named", "test_refs_named_table",
             "test_mentions_in_comment_only", "test_after_everything"})

    def test_name_credits(self):
        # upper and lower case in the function's name
        self.assertLessEqual({"R16", "N8"}, self.res["test_R16_n8_named"])

    def test_body_credits(self):
        # strings, comments, line comments and nested blocks of the body,
        # whatever braces they hold
        self.assertLessEqual({"R17", "R18", "R19", "R20"}, self.res["test_R16_n8_named"])

    def test_referenced_table_credits(self):
        self.assertIn("R10", self.res["test_R16_n8_named"])
        # the table's own name counts too
        self.assertEqual(self.res["test_refs_named_table"], {"R8"})

    def test_brace_matching_survives_strings_chars_comments(self):
        # the last test starts after all the stray braces above and is found
        # with exactly its own row
        self.assertEqual(self.res["test_after_everything"], {"R24"})

    def test_places_that_do_not_credit(self):
        credited = self.credited()
        for row, place in [
            ("R1", "file header"), ("N1", "file header"),
            ("R2", "directive"), ("R3", "directive"),
            ("R4", "section banner"), ("R5", "section banner"),
            ("R6", "comment above a table"),
            ("R11", "unreferenced table"),
            ("R12", "table referenced only by another table"),
            ("R13", "comment above a helper"), ("R14", "helper body"),
            ("R15", "comment above the test"),
            ("R21", "name in a comment is no reference"),
            ("R22", "test not registered in main"), ("R23", "test not registered in main"),
            ("R25", "main's test list"), ("R26", "main's test list"), ("R27", "main"),
        ]:
            with self.subTest(row=row, place=place):
                self.assertNotIn(row, credited)

    def test_unregistered_reported(self):
        skipped = []
        cov.scan_source(FIXTURE, skipped)
        self.assertEqual(skipped, ["test_R22_not_registered"])

    def test_comment_mention_is_no_reference(self):
        self.assertEqual(self.res["test_mentions_in_comment_only"], set())

    def test_unregistered_counted_without_cmocka(self):
        # a file that registers nothing (a plain program): every test_* counts
        src = "static void test_R30_x(void) { /* R31 */ }\nint main(void) { return 0; }\n"
        self.assertEqual(cov.scan_source(src), {"test_R30_x": {"R30", "R31"}})

    def test_row_boundaries(self):
        src = ("static void test_plain(void)\n{\n"
               "    /* R160 IR16 R1x9 N3 R58 (not rows); R9/R7 and sc_R33_x are */\n}\n")
        self.assertEqual(cov.scan_source(src)["test_plain"], {"R9", "R7", "R33"})

    def test_unbalanced_is_an_error(self):
        with self.assertRaises(cov.ParseError):
            cov.scan_source("static void test_a(void) { if (1) { }\n")
        with self.assertRaises(cov.ParseError):
            cov.scan_source("static void test_a(void) { \"}\n }\n")


class RepositoryFiles(unittest.TestCase):
    def test_every_test_file_parses(self):
        for path in cov.test_files():
            with self.subTest(path=os.path.relpath(path, cov.ROOT)):
                with open(path, encoding="utf-8", errors="replace") as f:
                    cov.structure(f.read())


if __name__ == "__main__":
    unittest.main(verbosity=1)
