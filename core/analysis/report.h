#pragma once
// Model analyses as documents: the JSON report (schema in REPORT_SCHEMA.md) and flat CSV tables.
// Shared by `qkvlab analyze` and the window's export.

#include <QJsonObject>

#include <string>
#include <vector>

#include "analysis/analysis.h"

namespace qkv {

struct AnalysisReportEntry {
    std::string run;   // the run's name (or folder)
    std::string path;  // its folder, or "" for a model that was not loaded from one
    ModelAnalysis analysis;
};

QJsonObject analysisToJson(const AnalysisReportEntry& entry);
// {"schema": "qkvlab-analysis/1", "runs": [...]}, indented.
std::string analysisReportJson(const std::vector<AnalysisReportEntry>& entries);

// One row per run, layer, head and scalar measure:
//   run,variant,layer,head,measure,value,note   (layer/head "all" for whole-layer or model rows)
std::string measuresCsv(const std::vector<AnalysisReportEntry>& entries);
// One row per singular value: run,variant,layer,head,matrix,index,singular_value
std::string spectraCsv(const std::vector<AnalysisReportEntry>& entries);
// One row per principal angle: run,variant,layer,head,pair,index,angle_deg
std::string anglesCsv(const std::vector<AnalysisReportEntry>& entries);

}  // namespace qkv
