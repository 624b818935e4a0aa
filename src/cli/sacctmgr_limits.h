// sacctmgr's limit and QOS words (issue 13 point 4): which settings a
// QOS or an association takes (common/acct_limits.h's table, plus QOS
// lists and preemption), put on the request as the controller reads them,
// and what sacctmgr prints after adding a QOS or changing associations'
// limits. Stateless; thread-safe.
#pragma once

#include <string>

#include "ctld.pb.h"

namespace sluice::cli {

// A setting of `add qos` / `modify qos ... set`: put on `req`, or false
// after printing Slurm's refusal ("Unknown option").
bool QosSetting(const std::string& key, const std::string& value, ::sluice::v1::AcctMgrRequest* req);
// A limit or QOS-list setting (qos=, qos+=, qos-=) of `modify user|account
// ... set`: put on `req`; false when `key` is not one.
bool AssocSetting(const std::string& key, const std::string& value,
                  ::sluice::v1::AcctMgrRequest* req);

void PrintQosAdded(const ::sluice::v1::AcctMgrRequest& req, const ::sluice::v1::AcctMgrReply& rep);
// " Modified user associations..." and one line per association changed.
void PrintModifiedAssocs(const std::string& entity, const ::sluice::v1::AcctMgrReply& rep);
// modify cluster ... set LIMIT=...: Slurm's "Default Limits" and the root
// association changed.
void PrintClusterModified(const ::sluice::v1::AcctMgrRequest& req,
                          const ::sluice::v1::AcctMgrReply& rep);

}  // namespace sluice::cli
