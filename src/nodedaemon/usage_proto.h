// A stepd's measurement of its tasks as the node daemon reports it to the
// controller (NodeReport's Usage). Pure; thread-safe.
#pragma once

#include "node.pb.h"
#include "nodedaemon/core/step_files.h"

namespace sluice::node {

void UsageToProto(const StepResult::Usage& u, ::sluice::v1::Usage* p);

}  // namespace sluice::node
