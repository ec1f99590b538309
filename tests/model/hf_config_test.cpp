#include <gtest/gtest.h>

#include <string>

#include "core/error.hpp"
#include "model/architecture.hpp"

namespace xpusim::model {
namespace {

Architecture shipped(const std::string& name) { return load_model(name, XPUSIM_SOURCE_DATA_DIR); }

Architecture parse(const std::string& json) {
  return parse_architecture(core::ConfigNode::parse(json, "config.json"), "test");
}

std::string error_of(const std::string& json) {
  try {
    parse(json);
  } catch (const core::Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(HfConfig, Llama31WithRopeScaling) {
  const Architecture a = shipped("llama3-405b");
  EXPECT_EQ(a.name, "llama3-405b");
  EXPECT_EQ(a.model_type, "llama");
  EXPECT_EQ(a.hidden, 16384);
  EXPECT_EQ(a.layers, 126);
  EXPECT_EQ(a.heads, 128);
  EXPECT_EQ(a.kv_heads, 8);
  EXPECT_EQ(a.head_dim, 128);
  EXPECT_EQ(a.ffn, 53248);
  EXPECT_EQ(a.vocab, 128256);
  EXPECT_EQ(a.max_seq_len, 131072);
  EXPECT_EQ(a.norm, NormKind::kRmsNorm);
  EXPECT_EQ(a.mlp, MlpKind::kGated);
  EXPECT_FALSE(a.tied_embeddings);
  EXPECT_FALSE(a.qkv_bias);
  EXPECT_DOUBLE_EQ(a.rope_theta, 500000.0);
  EXPECT_DOUBLE_EQ(a.rope_scaling_factor, 8.0);
  EXPECT_FALSE(a.moe.is_moe());
  EXPECT_FALSE(a.mla.enabled());
}

TEST(HfConfig, Llama1WithoutGqaKeyHasMultiHeadAttention) {
  const Architecture a = parse(R"({"model_type": "llama", "hidden_size": 4096, "num_hidden_layers": 32,
    "num_attention_heads": 32, "intermediate_size": 11008, "vocab_size": 32000,
    "max_sequence_length": 2048, "rope_scaling": null, "torch_dtype": "float16"})");
  EXPECT_EQ(a.kv_heads, 32);
  EXPECT_EQ(a.max_seq_len, 2048);
  EXPECT_DOUBLE_EQ(a.rope_scaling_factor, 1.0);
}

TEST(HfConfig, MistralSlidingWindowAndQwenBias) {
  EXPECT_EQ(shipped("mistral-7b").sliding_window, 4096);
  EXPECT_EQ(shipped("mixtral-8x7b").sliding_window, 0);  // null
  const Architecture q = shipped("qwen2-72b");
  EXPECT_TRUE(q.qkv_bias);
  EXPECT_EQ(q.sliding_window, 0);  // use_sliding_window false
}

TEST(HfConfig, QwenSlidingWindowOnlyWhenSomeLayerUsesIt) {
  const std::string base = R"({"model_type": "qwen2", "hidden_size": 64, "num_hidden_layers": 4,
    "num_attention_heads": 4, "vocab_size": 100, "max_position_embeddings": 128, "intermediate_size": 128,
    "sliding_window": 32, "use_sliding_window": true, "max_window_layers": )";
  EXPECT_EQ(parse(base + "2}").sliding_window, 32);
  EXPECT_EQ(parse(base + "4}").sliding_window, 0);
}

TEST(HfConfig, MixtralAndQwenMoe) {
  const Architecture m = shipped("mixtral-8x22b");
  EXPECT_EQ(m.moe.num_experts, 8);
  EXPECT_EQ(m.moe.experts_per_token, 2);
  EXPECT_EQ(m.moe.expert_ffn, 16384);
  EXPECT_EQ(m.moe_layers(), m.layers);
  const Architecture q = shipped("qwen2-57b-a14b");
  EXPECT_EQ(q.moe.num_experts, 64);
  EXPECT_EQ(q.moe.expert_ffn, 2560);
  EXPECT_EQ(q.moe.shared_experts, 1);
  EXPECT_EQ(q.moe.shared_expert_ffn, 20480);
  EXPECT_TRUE(q.moe.shared_expert_gate);
  EXPECT_EQ(q.moe_layers(), 28);
}

TEST(HfConfig, DeepSeekV3MlaAndMoe) {
  const Architecture a = shipped("deepseek-v3");
  EXPECT_TRUE(a.mla.enabled());
  EXPECT_EQ(a.mla.q_lora_rank, 1536);
  EXPECT_EQ(a.mla.kv_lora_rank, 512);
  EXPECT_EQ(a.mla.qk_nope_head_dim, 128);
  EXPECT_EQ(a.mla.qk_rope_head_dim, 64);
  EXPECT_EQ(a.mla.v_head_dim, 128);
  EXPECT_EQ(a.head_dim, 192);
  EXPECT_EQ(a.kv_heads, 128);
  EXPECT_EQ(a.moe.num_experts, 256);
  EXPECT_EQ(a.moe.experts_per_token, 8);
  EXPECT_EQ(a.moe.shared_experts, 1);
  EXPECT_EQ(a.moe.shared_expert_ffn, 2048);
  EXPECT_EQ(a.moe.first_dense_layers, 3);
  EXPECT_TRUE(a.moe.router_bias);
  EXPECT_EQ(a.mtp_layers, 1);
  EXPECT_DOUBLE_EQ(a.rope_scaling_factor, 40.0);
}

TEST(HfConfig, Gpt2AndNeox) {
  const Architecture g = shipped("gpt2");
  EXPECT_EQ(g.hidden, 768);
  EXPECT_EQ(g.ffn, 3072);  // n_inner absent: 4h
  EXPECT_EQ(g.max_seq_len, 1024);
  EXPECT_TRUE(g.tied_embeddings);
  EXPECT_TRUE(g.learned_positions);
  EXPECT_TRUE(g.linear_bias);
  EXPECT_EQ(g.norm, NormKind::kLayerNorm);
  EXPECT_EQ(g.mlp, MlpKind::kPlain);
  EXPECT_DOUBLE_EQ(g.rotary_fraction, 0.0);
  EXPECT_DOUBLE_EQ(g.hidden_dropout, 0.1);
  const Architecture n = shipped("gpt-neox-20b");
  EXPECT_TRUE(n.parallel_residual);
  EXPECT_FALSE(n.tied_embeddings);
  EXPECT_DOUBLE_EQ(n.rotary_fraction, 0.25);
  EXPECT_EQ(n.head_dim, 96);
  EXPECT_DOUBLE_EQ(n.hidden_dropout, 0.0);
}

TEST(HfConfig, EveryShippedConfigLoads) {
  const auto names = builtin_model_names(XPUSIM_SOURCE_DATA_DIR);
  EXPECT_EQ(names.size(), 25u);  // 14 HF files, GPT-3, ten Megatron rows
  for (const auto& n : names) {
    SCOPED_TRACE(n);
    const Architecture a = shipped(n);
    EXPECT_GT(a.params_total(), 0);
    EXPECT_EQ(a.heads % a.kv_heads, 0);
  }
}

TEST(HfConfigErrors, UnknownModelTypeNamesLineValueAndChoices) {
  const std::string msg = error_of("{\n  \"hidden_size\": 8,\n  \"model_type\": \"lama\"\n}");
  EXPECT_NE(msg.find("config.json:3: model_type: expected a supported model_type (one of: llama,"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("did you mean 'llama'?"), std::string::npos) << msg;
  EXPECT_NE(msg.find("got \"lama\""), std::string::npos) << msg;
}

TEST(HfConfigErrors, MissingModelType) {
  EXPECT_EQ(error_of("{\"hidden_size\": 8}"),
            "config.json:1: model_type: expected a value for the required field 'model_type', got \"nothing\"");
}

TEST(HfConfigErrors, MissingRequiredField) {
  const std::string msg = error_of(R"({"model_type": "llama", "hidden_size": 64, "num_hidden_layers": 2,
    "num_attention_heads": 4, "vocab_size": 100, "max_position_embeddings": 128})");
  EXPECT_EQ(msg,
            "config.json:1: intermediate_size: expected a value for the required field 'intermediate_size', got "
            "\"nothing\"");
}

TEST(HfConfigErrors, MissingMaxPositionsNamesTheFallbackField) {
  const std::string msg = error_of(R"({"model_type": "llama", "hidden_size": 64, "num_hidden_layers": 2,
    "num_attention_heads": 4, "vocab_size": 100, "intermediate_size": 128})");
  EXPECT_NE(msg.find("max_sequence_length: expected a value for the required field"), std::string::npos) << msg;
}

TEST(HfConfigErrors, BadValues) {
  const std::string base = R"({"model_type": "llama", "num_hidden_layers": 2, "vocab_size": 100,
    "max_position_embeddings": 128, "intermediate_size": 128,)";
  EXPECT_EQ(error_of(base + "\n\"hidden_size\": -64, \"num_attention_heads\": 4}"),
            "config.json:3: hidden_size: expected a positive integer, got \"-64\"");
  EXPECT_EQ(error_of(base + "\n\"hidden_size\": 64, \"num_attention_heads\": 4, \"num_key_value_heads\": 3}"),
            "config.json:3: num_key_value_heads: expected a divisor of num_attention_heads (4), got \"3\"");
  EXPECT_EQ(error_of(base + "\n\"hidden_size\": 66, \"num_attention_heads\": 4}"),
            "config.json:3: num_attention_heads: expected a head count dividing hidden size 66, got \"4\"");
  EXPECT_EQ(error_of(base + "\n\"hidden_size\": 64, \"num_attention_heads\": 4, \"tie_word_embeddings\": 1}"),
            "config.json:3: tie_word_embeddings: expected true or false, got \"1\"");
  EXPECT_EQ(error_of(base + "\n\"hidden_size\": 64, \"num_attention_heads\": 4, \"attention_dropout\": 1.5}"),
            "config.json:3: attention_dropout: expected a probability in [0, 1), got \"1.5\"");
  EXPECT_EQ(error_of(base + "\n\"hidden_size\": 64, \"num_attention_heads\": 4, \"rope_scaling\": {\"factor\": 0}}"),
            "config.json:3: rope_scaling.factor: expected a positive number, got \"0\"");
  EXPECT_EQ(error_of(base + "\n\"hidden_size\": 64, \"num_attention_heads\": 4, \"rope_scaling\": 2}"),
            "config.json:3: rope_scaling: expected null or a mapping with 'factor', got \"2\"");
  EXPECT_EQ(error_of(base + "\n\"hidden_size\": 64, \"num_attention_heads\": 4, \"rope_theta\": 0}"),
            "config.json:3: rope_theta: expected a positive number, got \"0\"");
}

TEST(HfConfigErrors, MoeAndFamilySpecificValues) {
  EXPECT_EQ(error_of(R"({"model_type": "mixtral", "hidden_size": 64, "num_hidden_layers": 2,
    "num_attention_heads": 4, "vocab_size": 100, "max_position_embeddings": 128, "intermediate_size": 128,
    "num_local_experts": 4, "num_experts_per_tok": 8})"),
            "config.json:3: num_experts_per_tok: expected at most the number of experts (4), got \"8\"");
  EXPECT_EQ(error_of(R"({"model_type": "qwen2_moe", "hidden_size": 64, "num_hidden_layers": 2,
    "num_attention_heads": 4, "vocab_size": 100, "max_position_embeddings": 128, "intermediate_size": 128,
    "num_experts": 4, "num_experts_per_tok": 2, "moe_intermediate_size": 32, "mlp_only_layers": [1]})"),
            "config.json:3: mlp_only_layers: expected an empty list (dense layers inside a qwen2_moe stack are "
            "not supported), got \"a list\"");
  EXPECT_EQ(error_of(R"({"model_type": "gpt_neox", "hidden_size": 64, "num_hidden_layers": 2,
    "num_attention_heads": 4, "vocab_size": 100, "max_position_embeddings": 128, "intermediate_size": 128,
    "rotary_pct": 1.5})"),
            "config.json:3: rotary_pct: expected a fraction in (0, 1], got \"1.5\"");
  EXPECT_EQ(error_of(R"({"model_type": "deepseek_v3", "hidden_size": 64, "num_hidden_layers": 2,
    "num_attention_heads": 4, "vocab_size": 100, "max_position_embeddings": 128, "intermediate_size": 128,
    "kv_lora_rank": 16, "qk_nope_head_dim": 8, "qk_rope_head_dim": 8, "v_head_dim": 8, "attention_bias": true})"),
            "config.json:3: attention_bias: expected false (MLA with biases is not supported), got \"true\"");
  EXPECT_EQ(error_of(R"({"model_type": "gpt2", "n_embd": 64, "n_layer": 2, "n_head": 4, "vocab_size": 100})"),
            "config.json:1: n_positions: expected a value for the required field 'n_positions', got \"nothing\"");
  EXPECT_EQ(error_of("[1, 2]"), "config.json:1: expected a JSON object (a HuggingFace config.json), got \"a list\"");
}

TEST(HfConfigErrors, SlidingWindowMustNotBeNegative) {
  EXPECT_EQ(error_of(R"({"model_type": "mistral", "hidden_size": 64, "num_hidden_layers": 2,
    "num_attention_heads": 4, "vocab_size": 100, "max_position_embeddings": 128, "intermediate_size": 128,
    "sliding_window": -1})"),
            "config.json:3: sliding_window: expected a non-negative integer, got \"-1\"");
}

TEST(ResolveModel, NamesPathsAndSuggestions) {
  const std::filesystem::path data = XPUSIM_SOURCE_DATA_DIR;
  EXPECT_EQ(resolve_model_config("llama3-70b", data), data / "models" / "llama3-70b.json");
  const std::string path = (data / "models" / "gpt2.json").string();
  EXPECT_EQ(resolve_model_config(path, data), path);
  try {
    resolve_model_config("llama3-7b", data);
    FAIL() << "no error";
  } catch (const core::Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("--model: expected a known model name or a path to a HuggingFace "
                                          "config.json (did you mean: ",
                                          0),
              0u)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("llama3-70b"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("got \"llama3-7b\""), std::string::npos) << e.what();
  }
  try {
    resolve_model_config("/nonexistent/config.json", data);
    FAIL() << "no error";
  } catch (const core::Error& e) {
    EXPECT_STREQ(e.what(), "--model: expected an existing config.json file, got \"/nonexistent/config.json\"");
  }
}

TEST(ResolveModel, BadFileNamesItsLine) {
  try {
    load_architecture(std::string(XPUSIM_SOURCE_DATA_DIR) + "/models/README.md");
    FAIL() << "no error";
  } catch (const core::Error& e) {
    EXPECT_NE(std::string(e.what()).find("README.md"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace xpusim::model
