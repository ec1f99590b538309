#include "report/html_report.hpp"

#include <fmt/format.h>

#include <cmath>

namespace xpusim::report {

std::string render_html(const HtmlReport& r) {
  std::string s =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + xml_escape(r.title) +
      "</title>\n<style>\n"
      "body{font-family:Helvetica,Arial,sans-serif;margin:24px 32px;color:#222;max-width:1500px}\n"
      "h1{font-size:22px;margin-bottom:6px} p.note{margin:4px 0;color:#444;font-size:14px}\n"
      ".plots{display:flex;flex-wrap:wrap;gap:18px;margin:18px 0}\n"
      ".plots svg{border:1px solid #ddd;border-radius:4px}\n"
      "table{border-collapse:collapse;font-size:13px;margin-top:12px}\n"
      "th,td{border:1px solid #ccc;padding:4px 8px;text-align:right;white-space:nowrap}\n"
      "th{background:#f2f2f2;position:sticky;top:0} td:first-child,th:first-child{text-align:left}\n"
      "tr.front td{font-weight:bold;background:#eef5fb}\n"
      "footer{margin-top:20px;font-size:12px;color:#666}\n"
      "</style>\n</head>\n<body>\n<h1>" +
      xml_escape(r.title) + "</h1>\n";
  for (const auto& n : r.notes) s += "<p class=\"note\">" + xml_escape(n) + "</p>\n";
  s += "<div class=\"plots\">\n";
  for (const auto& p : r.plots) s += render_svg(p);
  s += "</div>\n";
  if (!r.columns.empty()) {
    s += "<table id=\"results\">\n<thead><tr>";
    for (const auto& c : r.columns) s += "<th>" + xml_escape(c) + "</th>";
    s += "</tr></thead>\n<tbody>\n";
    for (std::size_t i = 0; i < r.rows.size(); ++i) {
      const bool hi = i < r.highlight_rows.size() && r.highlight_rows[i];
      s += hi ? "<tr class=\"front\">" : "<tr>";
      for (const auto& cell : r.rows[i]) s += "<td>" + xml_escape(cell) + "</td>";
      s += "</tr>\n";
    }
    s += "</tbody>\n</table>\n";
  }
  if (!r.footer.empty()) s += "<footer>" + xml_escape(r.footer) + "</footer>\n";
  s += "</body>\n</html>\n";
  return s;
}

std::vector<std::vector<std::string>> table_cells(const std::vector<Record>& records,
                                                  const std::vector<std::string>& key_paths) {
  std::vector<std::vector<std::string>> out;
  for (const auto& rec : records) {
    std::vector<std::string> row;
    for (const auto& path : key_paths) {
      const Record* node = &rec;
      std::size_t pos = 0;
      while (node && pos <= path.size()) {
        const std::size_t dot = std::min(path.find('.', pos), path.size());
        const std::string key = path.substr(pos, dot - pos);
        node = (node->is_object() && node->contains(key)) ? &(*node)[key] : nullptr;
        pos = dot + 1;
      }
      if (node == nullptr || node->is_null()) row.emplace_back();
      else if (node->is_boolean()) row.emplace_back(node->get<bool>() ? "yes" : "no");
      else if (node->is_number_float()) {
        // Large figures in full (12,345), small ones to four significant digits.
        const double v = node->get<double>();
        row.push_back(std::abs(v) >= 1000 ? fmt::format("{:.0f}", v) : fmt::format("{:.4g}", v));
      }
      else if (node->is_number()) row.push_back(node->dump());
      else if (node->is_string()) row.push_back(node->get<std::string>());
      else row.push_back(node->dump());
    }
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace xpusim::report
