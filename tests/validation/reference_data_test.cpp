#include <gtest/gtest.h>

#include <string>

#include "core/error.hpp"
#include "support/test_support.hpp"
#include "validation/llama3_suite.hpp"
#include "validation/megatron2021_table.hpp"
#include "validation/nemo_h100_suite.hpp"

namespace xpusim::validation {
namespace {

const std::filesystem::path kData = XPUSIM_SOURCE_DATA_DIR;

template <class F>
std::string message_of(F f) {
  try {
    f();
  } catch (const core::Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(ReferenceData, ShippedTablesCarryEveryPublishedNumber) {
  const auto llama = load_llama3_runs(kData / "validation" / "llama3_405b_table4.csv");
  ASSERT_EQ(llama.size(), 3u);
  EXPECT_EQ(llama[2].cp, 16);
  EXPECT_DOUBLE_EQ(llama[0].tflops_per_gpu, 430);
  const auto nemo = load_nemo_h100_runs(kData / "validation" / "nemo_h100_performance.csv");
  ASSERT_EQ(nemo.size(), 3u);
  EXPECT_TRUE(nemo[0].fsdp);
  EXPECT_FALSE(nemo[1].fsdp);
  EXPECT_EQ(nemo[2].dtype, core::Dtype::kFp8);
  EXPECT_DOUBLE_EQ(nemo[2].tokens_per_s_per_gpu, 292);
}

TEST(ReferenceData, MalformedLlama3RowNamesFileAndLine) {
  const auto path = test::write_temp_file(
      "llama3_bad.csv",
      "case_id,model,gpus,tensor_parallel,context_parallel,pipeline_parallel,seq_len,global_batch_size,"
      "tflops_per_gpu,source\n"
      "a,llama3-405b,8192,8,1,16,8192,2048,430,\"paper, Table 4\"\n"
      "b,llama3-405b,16384,8,1,16,8192,2048,four hundred,\"paper, Table 4\"\n");
  EXPECT_EQ(message_of([&] { (void)load_llama3_runs(path); }),
            path + ":3: tflops_per_gpu: expected a number, got \"four hundred\"");
}

TEST(ReferenceData, MalformedNemoRowNamesFileAndLine) {
  const std::string header =
      "case_id,model,dtype,gpus,global_batch_size,micro_batch_size,seq_len,fsdp,tensor_parallel,"
      "pipeline_parallel,context_parallel,virtual_pipeline_parallel,tokens_per_s_per_gpu,source\n";
  const auto bad_gpus =
      test::write_temp_file("nemo_bad_gpus.csv", header + "a,llama3-8b,fp8,8.5,128,1,8192,yes,1,1,1,1,14451,x\n");
  EXPECT_EQ(message_of([&] { (void)load_nemo_h100_runs(bad_gpus); }),
            bad_gpus + ":2: gpus: expected an integer, got \"8.5\"");
  const auto bad_fsdp =
      test::write_temp_file("nemo_bad_fsdp.csv", header + "a,llama3-8b,fp8,8,128,1,8192,sometimes,1,1,1,1,14451,x\n");
  EXPECT_EQ(message_of([&] { (void)load_nemo_h100_runs(bad_fsdp); }),
            bad_fsdp + ":2: fsdp: expected yes or no (true/false, 1/0), got \"sometimes\"");
  const auto bad_dtype =
      test::write_temp_file("nemo_bad_dtype.csv", header + "a,llama3-8b,fp7,8,128,1,8192,no,1,1,1,1,14451,x\n");
  EXPECT_EQ(message_of([&] { (void)load_nemo_h100_runs(bad_dtype); }),
            bad_dtype + ":2: dtype: expected a dtype such as bf16 or fp8, got \"fp7\"");
}

TEST(ReferenceData, MegatronLayoutsJoinEveryTableRow) {
  const auto rows = load_megatron2021_rows(kData);
  ASSERT_EQ(rows.size(), 10u);
  int calibration = 0;
  for (const auto& r : rows) {
    EXPECT_GE(r.micro_batch, 1) << r.id;
    calibration += r.calibration ? 1 : 0;
  }
  EXPECT_EQ(calibration, 5);
  EXPECT_TRUE(rows[0].torch_ddp);
  EXPECT_EQ(rows[5].layers_per_virtual_stage, 5);

  auto table = load_megatron2021_table(kData / "validation" / "megatron2021_table1.csv");
  const auto partial = test::write_temp_file(
      "layouts_partial.csv", "case_id,micro_batch_size,layers_per_virtual_stage,ddp,role,source\n"
                             "M21-1,16,,torch,calibration,x\n");
  EXPECT_EQ(message_of([&] { join_megatron2021_layouts(table, partial); }),
            partial + ": case_id: expected a layout row for every case of megatron2021_table1.csv, got \"M21-2\"");
  const auto bad_ddp = test::write_temp_file(
      "layouts_ddp.csv", "case_id,micro_batch_size,layers_per_virtual_stage,ddp,role,source\n"
                         "M21-1,16,,apex,calibration,x\n");
  EXPECT_EQ(message_of([&] { join_megatron2021_layouts(table, bad_ddp); }),
            bad_ddp + ":2: ddp: expected torch or local, got \"apex\"");
  const auto unknown = test::write_temp_file(
      "layouts_unknown.csv", "case_id,micro_batch_size,layers_per_virtual_stage,ddp,role,source\n"
                             "M21-99,16,,torch,calibration,x\n");
  EXPECT_EQ(message_of([&] { join_megatron2021_layouts(table, unknown); }),
            unknown + ":2: case_id: expected a case of megatron2021_table1.csv, got \"M21-99\"");
}

}  // namespace
}  // namespace xpusim::validation
