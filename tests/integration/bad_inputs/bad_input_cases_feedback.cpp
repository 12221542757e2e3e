// Feedback documents (DESIGN §4) a bad writer left in the real FerretDB: a document with an
// unusable rating is excluded from the statistics and counted, never breaks them; the check
// goes on (exit 0 here: the specialist is healthy). The MLflow side is the healthy stand-in.
#include "integration/bad_inputs/bad_input_world.hpp"

#include <chrono>

namespace mm::test {

namespace {

using namespace std::chrono;
using Json = nlohmann::json;

constexpr const char* k_ignored =
    "1 feedback document(s) with an invalid human_rating were ignored; fix their producer";

// One good rating (0.9) in the window, then `bad`.
ProcessResult with_feedback(BadInputWorld& w, const std::string& bad_json) {
  w.insert(FeedbackDoc()
               .specialist_type(BadInputWorld::k_type)
               .rating(0.9)
               .submitted_at(system_clock::now() - hours(2)));
  w.insert_json(bad_json);
  auto r = w.check();
  EXPECT_NE(r.out.find("Average: 0.90\n"), std::string::npos)
      << "the statistics are the good rating's alone\n"
      << r.out;
  return r;
}

FeedbackDoc recent() {
  return FeedbackDoc()
      .specialist_type(BadInputWorld::k_type)
      .submitted_at(system_clock::now() - hours(1));
}

BadInputCase rating_case(std::string id, std::string input, std::string rating_json) {
  BadInputCase c;
  c.id = std::move(id);
  c.category = "feedback document";
  c.input = std::move(input);
  c.message = k_ignored;
  c.exit_code = 0;
  c.run = [rating_json](BadInputWorld& w) {
    FeedbackDoc doc = recent();
    if (rating_json.empty()) {
      doc.without_rating();
    } else {
      doc.rating_json(rating_json);
    }
    auto r = with_feedback(w, doc.json());
    EXPECT_NE(r.out.find("Invalid (ignored): 1\n"), std::string::npos) << r.out;
    return r;
  };
  return c;
}

// A document the statistics cannot see at all (outside the window or not the specialist's).
BadInputCase unseen_case(std::string id, std::string input, std::function<std::string()> document) {
  BadInputCase c;
  c.id = std::move(id);
  c.category = "feedback document";
  c.input = std::move(input);
  c.message = "Average: 0.90";
  c.exit_code = 0;
  c.run = [document = std::move(document)](BadInputWorld& w) {
    auto r = with_feedback(w, document());
    EXPECT_NE(r.out.find("Total: 1\n"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("Invalid (ignored)"), std::string::npos) << r.out;
    return r;
  };
  return c;
}

// The canonical extended JSON of `doc` with one top-level field replaced (nullopt: removed).
std::string with_field(const FeedbackDoc& doc, const std::string& field,
                       const std::optional<Json>& value) {
  Json j = Json::parse(doc.json());
  if (value) {
    j[field] = *value;
  } else {
    j.erase(field);
  }
  return j.dump();
}

} // namespace

std::vector<BadInputCase> feedback_cases() {
  std::vector<BadInputCase> cases = {
      rating_case("feedback_rating_missing", "no `human_rating`", ""),
      rating_case("feedback_rating_above_one", "`human_rating: 1.5`",
                  R"({"$numberDouble": "1.5"})"),
      rating_case("feedback_rating_negative", "`human_rating: -0.2`",
                  R"({"$numberDouble": "-0.2"})"),
      rating_case("feedback_rating_as_text", "`human_rating: \"0.8\"` (a string)", R"("0.8")"),
      rating_case("feedback_rating_null", "`human_rating: null`", "null"),
      rating_case("feedback_rating_boolean", "`human_rating: true`", "true"),
      rating_case("feedback_rating_array", "`human_rating: [0.5]`", "[0.5]"),
      unseen_case(
          "feedback_future_date",
          "`submitted_at` three days in the future, rating 0.0 (outside the window until "
          "then)",
          [] { return recent().rating(0.0).submitted_at(system_clock::now() + hours(72)).json(); }),
      unseen_case(
          "feedback_date_as_text",
          "`submitted_at` written as an ISO string, rating 0.0 (not a date: outside every "
          "window, not counted; see the note)",
          [] {
            return recent().rating(0.0).submitted_at_json(R"("2026-01-01T10:00:00Z")").json();
          }),
      unseen_case("feedback_type_missing", "no `specialist_type`, rating 0.0 (nobody's feedback)",
                  [] { return with_field(recent().rating(0.0), "specialist_type", std::nullopt); }),
  };
  {
    // Every rating invisible: the producer writes submitted_at as text. The window is then
    // empty, and the report says why instead of only "no feedback".
    BadInputCase c;
    c.id = "feedback_all_dates_as_text";
    c.category = "feedback document";
    c.input = "every document's `submitted_at` written as an ISO string (2 documents, ratings "
              "0.0): the window is empty";
    c.message = "2 feedback document(s) of 'badinput' have a submitted_at that is missing or not "
                "a date (e.g. an ISO string): no window holds them, so the feedback looks absent; "
                "write submitted_at as a BSON date (UTC)";
    c.exit_code = 0;
    c.run = [](BadInputWorld& w) {
      w.insert_json(recent().rating(0.0).submitted_at_json(R"("2026-01-01T10:00:00Z")").json());
      w.insert_json(recent().rating(0.0).submitted_at_json(R"("2026-01-02T10:00:00Z")").json());
      auto r = w.check();
      EXPECT_NE(r.out.find("Average: unknown (no feedback in the window)\n"), std::string::npos)
          << r.out;
      EXPECT_NE(r.out.find("Undated submitted_at (outside every window): 2\n"), std::string::npos)
          << r.out;
      return r;
    };
    cases.push_back(c);
  }
  {
    BadInputCase c;
    c.id = "feedback_rating_nan";
    c.category = "feedback document";
    c.input = "`human_rating: NaN` (FerretDB v1 refuses to store it; MongoDB stores it and the "
              "check excludes and counts it)";
    c.message = "Average: 0.90";
    c.exit_code = 0;
    c.run = [](BadInputWorld& w) {
      const std::string refusal =
          w.try_insert_json(recent().rating_json(R"({"$numberDouble": "NaN"})").json());
      auto r = with_feedback(w, recent().rating(0.9).json());
      if (refusal.empty()) { // stored (MongoDB): excluded and counted, never in the average
        EXPECT_NE(r.out.find(k_ignored), std::string::npos) << r.out;
      } else {
        EXPECT_EQ(r.out.find("Invalid (ignored)"), std::string::npos) << r.out;
      }
      return r;
    };
    cases.push_back(c);
  }
  cases.push_back(feedback_merge_case());
  return cases;
}

} // namespace mm::test
