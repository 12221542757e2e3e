// docs/bad-inputs.md is the suite's own table: its generated block must equal the one rendered
// from bad_input_cases() (ids, inputs, messages, exit codes, the count), and every row must be a
// test GoogleTest actually registered. To rewrite the block after changing the cases:
//   MM_UPDATE_BAD_INPUTS_DOC=1 build/mm_it_bad_inputs --gtest_filter='BadInputsDoc.*'
#include "integration/bad_inputs/bad_input_world.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

namespace mm::test {
namespace {

constexpr const char* k_begin =
    "<!-- BEGIN GENERATED: tests/integration/bad_inputs (MM_UPDATE_BAD_INPUTS_DOC=1 "
    "mm_it_bad_inputs --gtest_filter='BadInputsDoc.*') -->\n";
constexpr const char* k_end = "<!-- END GENERATED -->\n";

std::string doc_path() {
  return std::string(MM_SOURCE_DIR) + "/docs/bad-inputs.md";
}

std::string test_name(const BadInputCase& c) {
  return "All/BadInput.Case/" + c.id;
}

// A Markdown table cell: no line breaks, '|' escaped.
std::string cell(const std::string& text) {
  std::string out;
  for (const char ch : text) {
    if (ch == '|') {
      out += "\\|";
    } else {
      out += ch;
    }
  }
  return out;
}

std::string code(const std::string& text) {
  const std::string fence = text.find('`') == std::string::npos ? "`" : "``";
  const std::string pad = fence.size() > 1 ? " " : "";
  return fence + pad + cell(text) + pad + fence;
}

std::string rendered_block() {
  const auto& cases = bad_input_cases();
  std::ostringstream s;
  s << k_begin;
  s << "**" << cases.size() << " bad inputs, each tried by the test suite** (`mm_it_bad_inputs`): ";
  for (std::size_t i = 0; i < k_categories.size(); ++i) {
    const auto n = std::count_if(cases.begin(), cases.end(), [&](const BadInputCase& c) {
      return c.category == k_categories[i];
    });
    s << (i == 0 ? "" : ", ") << n << " " << k_categories[i];
  }
  s << ".\n\n";
  s << "| # | category | bad input | exact message (or its fixed fragment) | exit | test |\n";
  s << "|---|---|---|---|---|---|\n";
  int row = 0;
  for (const auto& c : cases) {
    s << "| " << ++row << " | " << c.category << " | " << cell(c.input) << " | " << code(c.message)
      << " | " << c.exit_code << " | `" << test_name(c) << "` |\n";
  }
  s << k_end;
  return s.str();
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(BadInputsDoc, CasesAreWellFormed) {
  std::set<std::string> ids;
  const std::set<std::string> categories(k_categories.begin(), k_categories.end());
  for (const auto& c : bad_input_cases()) {
    EXPECT_TRUE(ids.insert(c.id).second) << "duplicate id " << c.id;
    EXPECT_TRUE(std::all_of(c.id.begin(), c.id.end(), [](char ch) {
      return (ch >= 'a' && ch <= 'z') || ch == '_' || (ch >= '0' && ch <= '9');
    })) << c.id;
    EXPECT_EQ(categories.count(c.category), 1U) << c.id << ": " << c.category;
    EXPECT_FALSE(c.message.empty()) << c.id;
    EXPECT_GE(c.exit_code, 0) << c.id;
    EXPECT_LE(c.exit_code, 3) << c.id << ": exit 4 is a bug, never a documented answer";
    for (const std::string* text : {&c.input, &c.message}) {
      EXPECT_EQ(text->find('\n'), std::string::npos) << c.id << ": one line per table cell";
    }
    EXPECT_TRUE(c.run) << c.id;
  }
  EXPECT_GE(ids.size(), 40U) << "issue 5 asks for at least 40 bad inputs";
}

TEST(BadInputsDoc, EveryCaseIsARegisteredTest) {
  std::set<std::string> registered;
  const auto* unit = ::testing::UnitTest::GetInstance();
  for (int i = 0; i < unit->total_test_suite_count(); ++i) {
    const auto* suite = unit->GetTestSuite(i);
    for (int j = 0; j < suite->total_test_count(); ++j) {
      registered.insert(std::string(suite->name()) + "." + suite->GetTestInfo(j)->name());
    }
  }
  std::set<std::string> expected;
  for (const auto& c : bad_input_cases()) {
    expected.insert(test_name(c));
    EXPECT_EQ(registered.count(test_name(c)), 1U) << test_name(c);
  }
  for (const auto& name : registered) {
    if (name.starts_with("All/BadInput.")) {
      EXPECT_EQ(expected.count(name), 1U) << name << " runs but is not in the table";
    }
  }
}

TEST(BadInputsDoc, TableIsTheSuitesOwn) {
  const std::string path = doc_path();
  std::string doc = slurp(path);
  ASSERT_FALSE(doc.empty()) << path << " is missing";
  const auto begin = doc.find(k_begin);
  const auto end = doc.find(k_end);
  ASSERT_NE(begin, std::string::npos) << "no generated block in " << path;
  ASSERT_NE(end, std::string::npos) << "no end of the generated block in " << path;
  const std::string current = doc.substr(begin, end + std::string(k_end).size() - begin);
  const std::string expected = rendered_block();
  const char* update = std::getenv("MM_UPDATE_BAD_INPUTS_DOC"); // NOLINT
  if (update != nullptr && std::string(update) == "1" && current != expected) {
    doc.replace(begin, current.size(), expected);
    std::ofstream(path) << doc;
    std::cout << "rewrote the table of " << path << "\n";
    return;
  }
  EXPECT_EQ(current, expected)
      << path << " differs from the cases the suite runs; rewrite it with "
      << "MM_UPDATE_BAD_INPUTS_DOC=1 mm_it_bad_inputs --gtest_filter='BadInputsDoc.*'";
}

} // namespace
} // namespace mm::test
