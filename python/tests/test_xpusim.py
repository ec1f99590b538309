"""The xpusim Python module: every entry point, its keys against the CLI's JSON, and error mapping."""
import json
import os
import subprocess
import threading

import pytest

import xpusim

LLAMA70 = dict(model="llama3-70b", system="dgx-h100", gpus=64, tp=8, pp=2, seq_len=8192, global_batch=256)


@pytest.fixture(scope="module")
def session():
    return xpusim.Session()


def cli_json(*args):
    out = subprocess.run([os.environ["XPUSIM_BINARY"], *args, "--format", "json"], capture_output=True, text=True)
    return out.returncode, json.loads(out.stdout) if out.stdout else None


def test_train_matches_the_cli_record(session):
    r = session.train(**LLAMA70)
    assert r["feasible"] is True
    assert 0.2 < r["mfu"] < 0.8
    rc, cli = cli_json("train", "--model", "llama3-70b", "--system", "dgx-h100", "--gpus", "64", "--tp", "8",
                       "--pp", "2", "--seq-len", "8192", "--global-batch", "256")
    assert rc == 0
    assert cli.pop("xpusim_version") == xpusim.__version__
    assert list(r.keys()) == list(cli.keys())
    assert r["step_time_s"] == pytest.approx(cli["step_time_s"], rel=1e-12)
    assert r["memory_breakdown"] == pytest.approx(cli["memory_breakdown"], rel=1e-12)


def test_keywords_are_the_run_spec_fields(session):
    names = [f["name"] for f in xpusim.fields()]
    for key in ("model", "system", "gpus", "tp", "pp", "seq_len", "global_batch", "recompute", "set"):
        assert key in names
    required = {f["name"] for f in xpusim.fields() if f["required"]}
    assert {"model", "system", "gpus", "seq_len", "global_batch"} <= required
    # Every field is accepted as a keyword: a choice field with its default changes nothing.
    base = session.train(**LLAMA70)
    assert session.train(**LLAMA70, recompute="none")["step_time_s"] == base["step_time_s"]
    assert session.train(**LLAMA70, recompute="full")["step_time_s"] > base["step_time_s"]


def test_overrides_as_list_dict_or_string(session):
    as_list = session.train(**LLAMA70, set=["memory.stacks=4"])
    as_dict = session.train(**LLAMA70, set={"memory.stacks": 4})
    as_str = session.train(**LLAMA70, set="memory.stacks=4")
    assert as_list["hardware"] == "dgx-h100 with memory.stacks=4"
    assert as_list["step_time_s"] == as_dict["step_time_s"] == as_str["step_time_s"]
    assert as_list["memory_capacity_bytes"] < session.train(**LLAMA70)["memory_capacity_bytes"]


def test_infeasible_is_a_result_not_an_error(session):
    r = session.train(model="llama3-405b", system="dgx-h100", gpus=8, tp=8, seq_len=8192, global_batch=8)
    assert r["feasible"] is False
    assert r["reason"]


def test_check_memory_agrees_with_train(session):
    fit = session.check_memory(**LLAMA70)
    assert fit["fits"] is True
    assert fit["memory_per_gpu_bytes"] == pytest.approx(session.train(**LLAMA70)["memory_per_gpu_bytes"])
    big = session.check_memory(model="llama3-405b", system="dgx-h100", gpus=8, tp=8, seq_len=8192, global_batch=8)
    assert big["fits"] is False and "GiB" in big["reason"]


def test_train_many_equals_train_in_order(session):
    specs = [dict(LLAMA70, tp=tp, pp=pp) for tp in (2, 4, 8) for pp in (1, 2, 4)]
    many = session.train_many(specs, threads=2)
    assert [m["step_time_s"] for m in many] == [session.train(**s)["step_time_s"] for s in specs]


def test_threads_share_one_session(session):
    specs = [dict(LLAMA70, global_batch=64 * k) for k in range(1, 9)]
    expected = [session.train(**s)["step_time_s"] for s in specs]
    got = [None] * len(specs)

    def work(i):
        got[i] = session.train(**specs[i])["step_time_s"]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(specs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == expected


def test_validate_returns_cases(session):
    names = [name for name, _ in xpusim.suites()]
    assert "megatron2021" in names
    v = session.validate("megatron2021")
    assert v["suite"] == "megatron2021"
    assert v["passed"] is True
    assert len(v["cases"]) > 5
    assert {"published", "predicted", "signed_error", "role"} <= set(v["cases"][0].keys())


def test_unknown_keyword_names_the_closest_field(session):
    with pytest.raises(xpusim.InputError) as e:
        session.train(**LLAMA70, seqlen=4096)
    assert e.value.field == "seqlen"
    assert "seq_len" in e.value.expected


def test_bad_value_carries_field_value_and_expected(session):
    with pytest.raises(xpusim.InputError) as e:
        session.train(**dict(LLAMA70, tp=0))
    assert (e.value.field, e.value.value) == ("tp", "0")
    assert "positive integer" in e.value.expected
    assert isinstance(e.value, ValueError)
    with pytest.raises(xpusim.InputError) as e:
        session.train(**dict(LLAMA70, gpus=8.5))
    assert e.value.field == "gpus" and e.value.value == "8.5"
    with pytest.raises(xpusim.InputError) as e:
        session.train(**dict(LLAMA70, recompute="some"))
    assert "selective" in e.value.expected
    with pytest.raises(xpusim.InputError) as e:
        session.train(**dict(LLAMA70, tp=[8]))
    assert e.value.field == "tp" and "int" in e.value.expected


def test_missing_required_field(session):
    spec = dict(LLAMA70)
    del spec["seq_len"]
    with pytest.raises(xpusim.InputError) as e:
        session.train(**spec)
    assert e.value.field == "seq_len" and "required" in str(e.value)


def test_unknown_names_and_suites(session):
    with pytest.raises(xpusim.InputError) as e:
        session.train(**dict(LLAMA70, system="dgx-h1000"))
    assert "dgx-h100" in str(e.value)
    with pytest.raises(xpusim.InputError) as e:
        session.validate("megatron")
    assert e.value.field == "suite" and "megatron2021" in e.value.expected
    with pytest.raises(xpusim.InputError):
        session.train(**dict(LLAMA70, set=["memory.stacks=zero"]))
    with pytest.raises(xpusim.InputError):
        session.train_many([LLAMA70, "not a dict"])


def test_a_bad_file_error_carries_file_and_line(session, tmp_path):
    bad = tmp_path / "system.yaml"
    bad.write_text("name: x\nmemory:\n  stacks: lots\n")
    with pytest.raises(xpusim.InputError) as e:
        session.train(**dict(LLAMA70, system=str(bad)))
    assert e.value.file == str(bad)
    assert e.value.line == 2
    assert e.value.field == "memory"


def test_bad_data_dir():
    with pytest.raises(xpusim.InputError):
        xpusim.Session(data_dir="/nonexistent/xpusim-data")


def test_version_and_data_hash(session):
    assert xpusim.__version__.count(".") == 2
    assert len(session.data_hash) >= 8


def test_search_fixes_what_is_given_and_ranks_the_rest(session):
    r = session.search(model="llama3-8b", system="dgx-h100", gpus=16, seq_len=4096, global_batch=64, tp=2, top=5)
    assert r["evaluated"] > 0 and r["feasible"] > 0
    assert 1 <= len(r["results"]) <= 5
    assert all(x["parallelism"]["tp"] == 2 for x in r["results"])
    tps = [x["tokens_per_s"] for x in r["results"]]
    assert tps == sorted(tps, reverse=True)
    with pytest.raises(xpusim.InputError) as e:
        session.search(model="llama3-8b", system="dgx-h100", gpus=16, seq_len=4096, global_batch=64, objective="speed")
    assert e.value.field == "objective" and "throughput" in e.value.expected


def test_serve_matches_the_cli_record(session):
    args = dict(model="llama3-8b", system="dgx-h100", num_requests=200, rate=20, seed=3)
    r = session.serve(**args)
    rc, cli = cli_json("serve", "--model", "llama3-8b", "--system", "dgx-h100", "--num-requests", "200",
                       "--rate", "20", "--seed", "3")
    assert rc == 0
    cli.pop("xpusim_version")
    assert r["feasible"] is True
    assert list(r.keys()) == list(cli.keys())
    # elapsed_s is host time; everything simulated is identical.
    r.pop("elapsed_s", None)
    cli.pop("elapsed_s", None)
    assert r == cli


def test_serve_search_and_infeasible_and_errors(session):
    s = session.serve(model="llama3-8b", system="dgx-h100", gpus=2, num_requests=100, rate=10, search=True, top=3)
    assert 1 <= len(s["top"]) <= 3 and s["candidates"] >= len(s["top"])
    big = session.serve(model="llama3-405b", system="dgx-h100", tp=1, num_requests=5)
    assert big["feasible"] is False and big["reason"]
    with pytest.raises(xpusim.InputError) as e:
        session.serve(model="llama3-8b", rate=-1, arrival="poisson")
    assert e.value.field == "--rate"
    with pytest.raises(xpusim.InputError) as e:
        session.serve(model="llama3-8b", num_requets=10)
    assert e.value.field == "num_requets" and "num_requests" in e.value.expected
    with pytest.raises(xpusim.InputError) as e:
        session.serve(model="llama3-8b", tp="two")
    assert e.value.field == "--tp" and e.value.value == "two"
    with pytest.raises(xpusim.InputError) as e:
        session.serve(model="llama3-8b", tp=[8])
    assert e.value.field == "tp" and "int" in e.value.expected
    assert session.serve(model="llama3-8b", num_requests=20, set=["memory.stacks=5"])["feasible"] is True


def test_hbm_sim_matches_the_cli_record(session):
    r = session.hbm_sim(generation="hbm3", pattern="random", requests=20000, seed=2, check=True)
    rc, cli = cli_json("hbm", "sim", "--generation", "hbm3", "--pattern", "random", "--requests", "20000",
                       "--seed", "2", "--check")
    assert rc == 0
    cli.pop("xpusim_version")
    r.pop("elapsed_s", None)
    cli.pop("elapsed_s", None)
    assert r == cli
    assert r["check"]["violations"] == 0
    assert 0.5 < r["efficiency"] < 0.7
    with pytest.raises(xpusim.InputError) as e:
        session.hbm_sim(stacks=0)
    assert e.value.field == "--stacks"
    with pytest.raises(xpusim.InputError) as e:
        session.hbm_sim(patern="random")
    assert "pattern" in e.value.expected


def test_fleet_value_matches_the_cli_record(session):
    inventory = os.path.join(os.environ.get("XPUSIM_DATA_DIR", "data"), "fleets", "mixed-2025.yaml")
    r = session.fleet_value(inventory)
    rc, cli = cli_json("fleet", "value", "--inventory", inventory)
    assert rc == 0
    cli.pop("xpusim_version")
    assert r == cli
    with pytest.raises(xpusim.InputError):
        session.fleet_value(inventory, set=["memory.stacks=lots"])
    with pytest.raises(xpusim.InputError) as e:
        session.fleet_value("/nonexistent/fleet.yaml")
    assert "fleet.yaml" in str(e.value)
