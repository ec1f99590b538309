// The `xpusim` Python module: the Session API with the CLI's keys and errors (issue 21).
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "convert.hpp"
#include "core/error.hpp"
#include "core/parallel.hpp"
#include "core/suggest.hpp"
#include "report/fleet_record.hpp"
#include "report/hbm_record.hpp"
#include "report/search_record.hpp"
#include "report/serving_record.hpp"
#include "report/training_record.hpp"
#include "report/validation_record.hpp"
#include "hardware/overrides.hpp"
#include "planning/fleet_value.hpp"
#include "scenario/evaluate.hpp"
#include "scenario/hbm_query.hpp"
#include "scenario/run_spec.hpp"
#include "scenario/serve_query.hpp"
#include "scenario/session.hpp"
#include "serving/search.hpp"
#include "search/search.hpp"
#include "validation/registry.hpp"

namespace py = pybind11;

namespace xpusim::python {
namespace {

// Raised in Python as xpusim.InputError; set when the module is imported.
PyObject* input_error_type = nullptr;

core::Error keyword_error(const std::string& name, const std::string& value, std::string expected) {
  return core::Error(core::SourceLocation{}, name, value, std::move(expected));
}

std::vector<std::string> field_names() {
  std::vector<std::string> names;
  for (const auto& f : scenario::training_fields()) names.push_back(f.name);
  return names;
}

// Text values of one keyword: a list or tuple gives one per item (repeatable fields).
std::vector<std::string> texts_of(const std::string& key, const py::handle& v) {
  std::vector<std::string> out;
  if (py::isinstance<py::list>(v) || py::isinstance<py::tuple>(v)) {
    for (const auto& item : v) out.push_back(to_field_text(key, item));
  } else {
    out.push_back(to_field_text(key, v));
  }
  return out;
}

// One scenario from keyword arguments named as the run-spec fields (the run file's keys);
// `given_out`, when set, receives the names given (a search keeps those fixed).
scenario::Scenario scenario_from(const py::dict& kwargs, std::set<std::string>* given_out = nullptr) {
  scenario::Scenario s;
  std::set<std::string> given;
  for (const auto& [k, v] : kwargs) {
    const std::string key = py::str(k).cast<std::string>();
    if (key == "name") {
      s.name = to_field_text(key, v);
      continue;
    }
    const scenario::RunField* field = scenario::find_field(key);
    if (field == nullptr)
      throw keyword_error(key, "", core::expected_known_name("keyword argument", key, field_names()));
    given.insert(key);
    // Overrides come as one "path=value" string, a list of them, or a dict of path to value.
    std::vector<std::string> texts;
    if (field->type == scenario::FieldType::kOverrides && py::isinstance<py::dict>(v)) {
      for (const auto& [path, value] : v.cast<py::dict>())
        texts.push_back(py::str(path).cast<std::string>() + "=" + to_field_text(key, value));
    } else if (field->type == scenario::FieldType::kOverrides) {
      texts = texts_of(key, v);
    } else {
      texts.push_back(to_field_text(key, v));
    }
    for (const auto& text : texts)
      field->apply(scenario::FieldValue{text, [key, text](std::string expected) {
                                          return keyword_error(key, text, std::move(expected));
                                        }},
                   s);
  }
  for (const auto& f : scenario::training_fields())
    if (f.required && !given.count(f.name))
      throw keyword_error(f.name, "", "a value: `" + f.name + "` is required (" + f.description + ")");
  if (given_out) *given_out = given;
  return s;
}

template <class Names>
std::vector<std::string> names_of(const Names& table) {
  std::vector<std::string> names;
  for (const auto& f : table) names.emplace_back(f.first);
  return names;
}

report::Record memory_fit_record(const training::MemoryFit& fit) {
  report::Record r;
  r["fits"] = fit.fits;
  r["reason"] = fit.reason;
  r["memory_per_gpu_bytes"] = fit.memory.total();
  r["dp"] = fit.layout.dp;
  return r;
}

// Holds the C++ session; every call releases the GIL while the simulator works, so Python
// threads calling one session run in parallel (the session is thread-safe).
class PySession {
 public:
  explicit PySession(const std::optional<std::string>& data_dir)
      : session_(std::make_unique<scenario::Session>(data_dir ? std::filesystem::path(*data_dir)
                                                              : std::filesystem::path{})) {}

  std::string data_dir() const { return session_->data_dir().string(); }
  std::string data_hash() const { return session_->data_hash(); }

  py::object train(const py::kwargs& kwargs) const {
    const scenario::Scenario s = scenario_from(kwargs);
    report::Record rec;
    {
      py::gil_scoped_release unlocked;
      rec = report::training_outcome_record(scenario::evaluate(*session_, s));
    }
    return to_python(rec);
  }

  // Many scenarios (dicts of the same keywords), evaluated on all cores, results in order.
  py::object train_many(const py::list& specs, std::size_t threads) const {
    std::vector<scenario::Scenario> scenarios;
    for (const auto& spec : specs) {
      if (!py::isinstance<py::dict>(spec))
        throw keyword_error("specs", py::str(spec.get_type().attr("__name__")).cast<std::string>(),
                            "a list of dicts of train() keyword arguments");
      scenarios.push_back(scenario_from(spec.cast<py::dict>()));
    }
    std::vector<report::Record> records(scenarios.size());
    {
      py::gil_scoped_release unlocked;
      // Names are resolved once up front so a bad name fails before any work, as `xpusim run` does.
      for (const auto& s : scenarios) {
        scenario::resolve_architecture(*session_, s);
        scenario::resolve_system(*session_, s);
      }
      core::parallel_for(
          scenarios.size(),
          [&](std::size_t i) { records[i] = report::training_outcome_record(scenario::evaluate(*session_, scenarios[i])); },
          {}, threads);
    }
    py::list out;
    for (const auto& r : records) out.append(to_python(r));
    return out;
  }

  py::object check_memory(const py::kwargs& kwargs) const {
    const scenario::Scenario s = scenario_from(kwargs);
    report::Record rec;
    {
      py::gil_scoped_release unlocked;
      rec = memory_fit_record(scenario::check_memory(*session_, s));
    }
    return to_python(rec);
  }

  // `xpusim train --search`: every run-spec field given is fixed, the rest are searched.
  py::object search(const py::kwargs& all) const {
    py::dict kwargs;
    search::SearchOptions o;
    bool pareto = false;
    for (const auto& [k, v] : all) {
      const std::string key = py::str(k).cast<std::string>();
      if (key == "top") {
        o.top = v.cast<std::size_t>();
      } else if (key == "objective") {
        const auto obj = search::parse_objective(v.cast<std::string>());
        if (!obj) throw keyword_error(key, v.cast<std::string>(), core::expected_one_of(search::objective_names()));
        o.objective = *obj;
      } else if (key == "max_memory_fraction") {
        o.max_memory_fraction = v.cast<double>();
      } else if (key == "pareto") {
        pareto = v.cast<bool>();
      } else if (key == "threads") {
        o.threads = v.cast<std::size_t>();
      } else if (key == "any_order") {
        o.tp_innermost = !v.cast<bool>();
      } else {
        kwargs[k] = v;
      }
    }
    o.pareto = pareto;
    std::set<std::string> given;
    const scenario::Scenario s = scenario_from(kwargs, &given);
    for (const auto& f : given)
      if (std::find(search::searched_fields().begin(), search::searched_fields().end(), f) !=
          search::searched_fields().end())
        o.fixed.insert(f);
    report::Record rec;
    {
      py::gil_scoped_release unlocked;
      rec = report::search_record(search::search_layouts(*session_, s, o), pareto);
    }
    return to_python(rec);
  }

  // `xpusim serve`: keywords are the flags' names (serve_fields()); search=True runs
  // `serve --search` and returns its candidates (top of them).
  py::object serve(const py::kwargs& kwargs) const {
    scenario::ServeQuery q;
    bool search = false;
    std::size_t top = 10;
    for (const auto& [k, v] : kwargs) {
      const std::string key = py::str(k).cast<std::string>();
      if (key == "search") {
        search = v.cast<bool>();
        continue;
      }
      if (key == "top") {
        top = v.cast<std::size_t>();
        continue;
      }
      const scenario::ServeField* f = scenario::find_serve_field(key);
      if (f == nullptr) {
        std::vector<std::string> names{"search", "top"};
        for (const auto& field : scenario::serve_fields()) names.emplace_back(field.name);
        throw keyword_error(key, "", core::expected_known_name("keyword argument", key, names));
      }
      // Only the repeatable field takes a list, as in train(): tp=[8] is an error, not tp=8.
      if (std::holds_alternative<std::vector<std::string> scenario::ServeQuery::*>(f->member)) {
        for (const auto& text : texts_of(key, v)) f->apply(q, text);
      } else {
        f->apply(q, to_field_text(key, v));
      }
    }
    report::Record rec;
    {
      py::gil_scoped_release unlocked;
      const scenario::ServeSetup setup = scenario::resolve_serve(*session_, q);
      if (search) {
        const auto cands = serving::search_serving(*setup.arch, *setup.cost, setup.collectives.get(), setup.engine,
                                                   setup.spec, setup.requests);
        rec = report::serving_search_record(cands, top, setup.spec, setup.engine, q.model, setup.system->label());
      } else {
        const auto result = serving::simulate_serving(*setup.arch, *setup.cost, setup.collectives.get(), setup.engine,
                                                      setup.spec, setup.requests);
        rec = report::serving_record(result, setup.spec, setup.engine, q.model, setup.system->label());
      }
    }
    return to_python(rec);
  }

  // `xpusim hbm sim`: keywords are the flags' names (generation, speed_gbps, pattern, ...).
  py::object hbm_sim(const py::kwargs& kwargs) const {
    scenario::HbmQuery q;
    for (const auto& [k, v] : kwargs) {
      const std::string key = py::str(k).cast<std::string>();
      if (key == "check") {
        q.check = v.cast<bool>();
        continue;
      }
      const auto& table = scenario::hbm_fields();
      const auto it = std::find_if(table.begin(), table.end(), [&](const auto& f) { return key == f.first; });
      if (it == table.end()) {
        auto names = names_of(table);
        names.emplace_back("check");
        throw keyword_error(key, "", core::expected_known_name("keyword argument", key, names));
      }
      q.*(it->second) = to_field_text(key, v);
    }
    report::Record rec;
    {
      py::gil_scoped_release unlocked;
      rec = report::hbm_run_record(scenario::simulate_hbm(session_->timings(), q), q.trace);
    }
    return to_python(rec);
  }

  // `xpusim fleet value`: inventory (a YAML path), set (overrides of every system), models,
  // reference (the system one H100-equivalent is).
  py::object fleet_value(const std::string& inventory, const py::object& set, const py::object& models,
                         const std::string& reference) const {
    planning::FleetValueRequest r;
    r.inventory = inventory;
    if (!set.is_none()) r.overrides = hardware::parse_overrides(texts_of("set", set));
    if (!models.is_none()) r.models = texts_of("models", models);
    r.reference_system = reference;
    report::Record rec;
    {
      py::gil_scoped_release unlocked;
      rec = report::fleet_value_record(planning::value_fleet(*session_, r));
    }
    return to_python(rec);
  }

  py::object validate(const std::string& suite) const {
    const auto suites = validation::builtin_suites();
    const auto* entry = validation::find_suite(suites, suite);
    if (entry == nullptr) {
      std::vector<std::string> names;
      for (const auto& s : suites) names.push_back(s.name);
      throw keyword_error("suite", suite, core::expected_one_of(names));
    }
    report::Record rec;
    {
      py::gil_scoped_release unlocked;
      const validation::SuiteInputs inputs{session_->catalog(), session_->timings(), session_->data_dir()};
      rec = report::validation_record(entry->run(inputs));
    }
    return to_python(rec);
  }

 private:
  std::unique_ptr<scenario::Session> session_;
};

py::list fields() {
  py::list out;
  for (const auto& f : scenario::training_fields()) {
    py::dict d;
    d["name"] = f.name;
    d["flag"] = f.flag;
    static const char* const kTypes[] = {"text", "count", "choice", "bool", "overrides"};
    d["type"] = kTypes[static_cast<int>(f.type)];
    d["unit"] = f.unit;
    d["default"] = f.default_text;
    d["required"] = f.required;
    d["choices"] = f.choices;
    d["description"] = f.description;
    out.append(d);
  }
  return out;
}

py::list suites() {
  py::list out;
  for (const auto& s : validation::builtin_suites()) out.append(py::make_tuple(s.name, s.description));
  return out;
}

}  // namespace
}  // namespace xpusim::python

PYBIND11_MODULE(_xpusim, m) {
  using namespace xpusim::python;
  m.doc() = "xpusim: simulator and planner for AI compute infrastructure (C++ core)";
  m.attr("__version__") = XPUSIM_VERSION;

  // InputError is defined in Python (xpusim/__init__.py passes it in) so it can carry attributes.
  m.def("_set_input_error", [](py::object type) {
    input_error_type = type.ptr();
    Py_INCREF(input_error_type);
  });
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const xpusim::core::Error& e) {
      if (input_error_type == nullptr) throw;
      const auto& w = e.where();
      py::object err = py::reinterpret_borrow<py::object>(input_error_type)(
          e.what(), w.file.empty() ? py::object(py::none()) : py::object(py::str(w.file)),
          w.line > 0 ? py::object(py::int_(w.line)) : py::object(py::none()), e.field(), e.value(), e.expected());
      PyErr_SetObject(input_error_type, err.ptr());
    }
  });

  py::class_<PySession>(m, "Session", "Catalog, timing sets and caches, loaded once; thread-safe")
      .def(py::init<std::optional<std::string>>(), py::arg("data_dir") = py::none())
      .def_property_readonly("data_dir", &PySession::data_dir)
      .def_property_readonly("data_hash", &PySession::data_hash)
      .def("train", &PySession::train, "Predict one training step; keywords are the run-spec fields")
      .def("train_many", &PySession::train_many, py::arg("specs"), py::arg("threads") = 0,
           "Predict many training scenarios (list of keyword dicts) in parallel, results in order")
      .def("check_memory", &PySession::check_memory, "Memory pre-check of a layout, no operator costs")
      .def("search", &PySession::search,
           "Best layouts (xpusim train --search): run-spec keywords given are fixed; plus top, objective, "
           "max_memory_fraction, pareto, threads, any_order")
      .def("serve", &PySession::serve, "Simulate LLM serving; keywords are `xpusim serve`'s flags (search=True, top=N)")
      .def("hbm_sim", &PySession::hbm_sim, "Simulate HBM cycle by cycle; keywords are `xpusim hbm sim`'s flags")
      .def("fleet_value", &PySession::fleet_value, py::arg("inventory"), py::arg("set") = py::none(),
           py::arg("models") = py::none(), py::arg("reference") = "dgx-h100",
           "H100-equivalents, HBM, power and cost of an inventory (`xpusim fleet value`)")
      .def("validate", &PySession::validate, py::arg("suite"), "Run one validation suite");
  m.def("fields", &fields, "The run-spec fields: train() keywords, CLI flags and run-file keys");
  m.def("suites", &suites, "Built-in validation suites as (name, description)");
}
