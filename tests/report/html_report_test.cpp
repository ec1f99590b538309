#include "report/html_report.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>

#include "support/test_support.hpp"

namespace xpusim::report {
namespace {

HtmlReport sample() {
  HtmlReport r;
  r.title = "Sweep <over> \"h100\" & more";
  r.notes = {"a note"};
  PlotSpec p{"pareto", "Throughput against cost", "cost (USD)", "tokens/s", false, {}, {}, 760, 460};
  p.series = {PlotSeries{"points", {{1000, 5}, {2000, 7}}, false, false},
              PlotSeries{"front", {{1000, 5}, {2000, 7}}, true, true}};
  r.plots = {p};
  r.columns = {"a", "b"};
  r.rows = {{"1", "x<y"}, {"2", "z"}};
  r.highlight_rows = {true, false};
  return r;
}

TEST(HtmlReport, IsOneSelfContainedPageWithTheInlinePlotsAndTheTable) {
  const std::string html = render_html(sample());
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"pareto\""), std::string::npos);
  EXPECT_NE(html.find("<table id=\"results\">"), std::string::npos);
  EXPECT_NE(html.find("<tr class=\"front\"><td>1</td><td>x&lt;y</td>"), std::string::npos);
  EXPECT_NE(html.find("Sweep &lt;over&gt; &quot;h100&quot; &amp; more"), std::string::npos);
  // Nothing to fetch: no scripts, no external references.
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("href="), std::string::npos);
}

TEST(SvgPlot, DrawsAxesTicksLegendAndSaysWhenThereIsNoData) {
  PlotSpec p{"x", "T", "gpus", "tokens/s", true, {}, {}, 600, 400};
  p.series = {PlotSeries{"a", {{1024, 1}, {16384, 3}}, true, false}, PlotSeries{"b", {{2048, 2}}, false, false}};
  const std::string svg = render_svg(p);
  EXPECT_NE(svg.find("<path d=\"M"), std::string::npos);  // the line of series a
  EXPECT_NE(svg.find(">gpus</text>"), std::string::npos);
  EXPECT_NE(svg.find(">a</text>"), std::string::npos);  // legend
  EXPECT_NE(svg.find(">10k</text>"), std::string::npos);  // a log-axis tick
  p.series.clear();
  EXPECT_NE(render_svg(p).find("no data"), std::string::npos);
}

TEST(TableCells, ReadsNestedKeysAndFormatsNumbers) {
  const Record r{{"a", 12345.678}, {"b", Record{{"c", 0.123456}}}, {"d", true}, {"e", nullptr}};
  const auto cells = table_cells({r}, {"a", "b.c", "d", "e", "missing"});
  EXPECT_EQ(cells[0], (std::vector<std::string>{"12346", "0.1235", "yes", "", ""}));
}

// The page opened in a real browser (Debian's chromium, headless): the DOM it builds holds the plot.
TEST(HtmlReport, RendersInChromium) {
  const char* candidates[] = {"/usr/bin/chromium", "/usr/bin/chromium-browser"};
  std::string browser;
  for (const char* c : candidates)
    if (std::ifstream(c).good()) browser = c;
  ASSERT_FALSE(browser.empty()) << "chromium is not installed (scripts/install-deps installs it)";
  const std::string page = test::write_temp_file("report.html", render_html(sample()));
  const std::string cmd = browser + " --headless --no-sandbox --disable-gpu --dump-dom file://" + page + " 2>/dev/null";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
  ASSERT_TRUE(pipe);
  std::string dom;
  char buf[4096];
  while (std::size_t n = fread(buf, 1, sizeof buf, pipe.get())) dom.append(buf, n);
  EXPECT_NE(dom.find("id=\"pareto\""), std::string::npos) << dom.substr(0, 400);
  EXPECT_NE(dom.find("<circle"), std::string::npos);
  EXPECT_NE(dom.find("id=\"results\""), std::string::npos);
}

}  // namespace
}  // namespace xpusim::report
