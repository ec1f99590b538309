#!/usr/bin/env python3
"""Derives the shipped length histograms from the Azure LLM inference trace 2023.

Source: Azure/AzurePublicDataset, data/AzureLLMInferenceTrace_{conv,code}.csv at commit
790921015d50dd6aae7f7e47f39ba0e235ad6b08 (columns TIMESTAMP, ContextTokens, GeneratedTokens;
one hour of production traffic, 2023-11-16). Usage: derive_azure.py DIR_WITH_THE_TWO_CSVS
Writes azure-{conv,code}-2023-{input,output}.csv: bins `tokens` (upper edge) and `weight`
(requests in (previous edge, edge]); xpusim samples uniformly inside a bin.
"""
import csv
import sys

EDGES = [8, 16, 32, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1280, 1536, 2048, 2560, 3072, 4096, 6144, 8192, 16384]
SRC = ("Azure/AzurePublicDataset data/AzureLLMInferenceTrace_{kind}.csv @790921015d50 ({n} requests, "
       "2023-11-16), column {col}; derived by data/workloads/derive_azure.py")


def main(folder):
    for kind in ("conv", "code"):
        rows = list(csv.DictReader(open(f"{folder}/AzureLLMInferenceTrace_{kind}.csv")))
        for col, name in (("ContextTokens", "input"), ("GeneratedTokens", "output")):
            vals = [max(1, int(r[col])) for r in rows]
            counts = [0] * len(EDGES)
            for v in vals:
                i = next((k for k, e in enumerate(EDGES) if v <= e), len(EDGES) - 1)
                counts[i] += 1
            last = max(i for i, c in enumerate(counts) if c > 0)
            with open(f"azure-{kind}-2023-{name}.csv", "w", newline="") as out:
                w = csv.writer(out)
                w.writerow(["tokens", "weight", "source"])
                for i in range(last + 1):
                    w.writerow([EDGES[i], counts[i], SRC.format(kind=kind, n=len(vals), col=col) if i == 0 else ""])


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
