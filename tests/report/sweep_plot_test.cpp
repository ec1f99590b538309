#include "report/sweep_plot.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace xpusim::report {
namespace {

SweepPlotPoint point(std::string system, std::string gpus, bool feasible, double tput, double mfu) {
  SweepPlotPoint p;
  p.values = {{"system", std::move(system)}, {"gpus", std::move(gpus)}};
  p.feasible = feasible;
  p.tokens_per_s_per_gpu = tput;
  p.mfu = mfu;
  p.note = "tp8 pp4";
  return p;
}

TEST(SweepPlot, SweepPlotUsesTheNumericAxisAndSeriesForTheRest) {
  const auto plot = sweep_plot({point("a", "1024", true, 1000, 0.4), point("a", "16384", true, 800, 0.35),
                                point("b", "1024", false, 0, 0), point("b", "16384", true, 900, 0.38)},
                               "title & more");
  EXPECT_EQ(plot.x_label, "gpus");
  EXPECT_TRUE(plot.log_x);
  ASSERT_EQ(plot.panels.size(), 2u);
  ASSERT_EQ(plot.panels[0].series.size(), 2u);
  EXPECT_EQ(plot.panels[0].series[0].name, "system=a");
  EXPECT_TRUE(std::isnan(plot.panels[0].series[1].y[0]));  // infeasible: a gap
  EXPECT_DOUBLE_EQ(plot.panels[1].series[0].y[0], 40.0);  // MFU in percent
  const std::string svg = render_sweep_svg(plot);
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_NE(svg.find("title &amp; more"), std::string::npos);
  EXPECT_NE(svg.find("tokens/s per GPU"), std::string::npos);
  EXPECT_NE(svg.find("MFU (%)"), std::string::npos);
  EXPECT_NE(svg.find("gpus (log scale)"), std::string::npos);
  EXPECT_NE(svg.find(">16384<"), std::string::npos);  // the x tick, exact
  EXPECT_NE(svg.find("system=b"), std::string::npos);
}

TEST(SweepPlot, CategoricalAxisWhenNothingIsNumeric) {
  SweepPlotPoint a, b;
  a.values = {{"system", "dgx-h100"}};
  b.values = {{"system", "dgx-a100"}};
  a.feasible = b.feasible = true;
  a.tokens_per_s_per_gpu = 2;
  b.tokens_per_s_per_gpu = 1;
  const auto plot = sweep_plot({a, b}, "t");
  EXPECT_EQ(plot.categories, (std::vector<std::string>{"dgx-h100", "dgx-a100"}));
  EXPECT_FALSE(plot.log_x);
  EXPECT_NE(render_sweep_svg(plot).find("dgx-a100"), std::string::npos);
}

}  // namespace
}  // namespace xpusim::report
