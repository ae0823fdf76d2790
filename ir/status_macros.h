// Early-return helpers for absl::Status / absl::StatusOr.
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define GRAPHC_STATUS_CONCAT_INNER_(a, b) a##b
#define GRAPHC_STATUS_CONCAT_(a, b) GRAPHC_STATUS_CONCAT_INNER_(a, b)

// Returns the status from the enclosing function if `expr` is not OK.
#define GRAPHC_RETURN_IF_ERROR(expr)          \
  do {                                        \
    ::absl::Status graphc_status_ = (expr);   \
    if (!graphc_status_.ok()) return graphc_status_; \
  } while (0)

// `GRAPHC_ASSIGN_OR_RETURN(auto x, MakeX());` assigns the value of a
// StatusOr or returns its error status.
#define GRAPHC_ASSIGN_OR_RETURN(lhs, expr) \
  GRAPHC_ASSIGN_OR_RETURN_IMPL_(GRAPHC_STATUS_CONCAT_(graphc_statusor_, __LINE__), lhs, expr)

#define GRAPHC_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return std::move(tmp).status();      \
  lhs = std::move(tmp).value()
