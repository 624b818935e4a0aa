// GpuStatus <-> sluice.v1.GpuDevice, shared by the node daemon's and the
// controller's rpc layers. Pure; thread-safe.
#pragma once

#include "common.pb.h"
#include "common/gpu_status.h"

namespace sluice::common {

void ToProto(const GpuStatus& g, ::sluice::v1::GpuDevice* p);
GpuStatus FromProto(const ::sluice::v1::GpuDevice& p);

}  // namespace sluice::common
