// AcctReader over the controller's SQLite job store: a read-only
// connection per scan, so any number of sacct calls read at once on gRPC's
// threads while the controller's strand writes (WAL).
#include <sqlite3.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ctld/store/job_store.h"

namespace sluice::ctld {
namespace {

class SqliteAcctReader : public AcctReader {
 public:
  explicit SqliteAcctReader(std::string path) : path_(std::move(path)) {}

  absl::StatusOr<std::vector<Job>> Scan(const AcctScan& q) override {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK) {
      std::string m = db ? sqlite3_errmsg(db) : "out of memory";
      sqlite3_close(db);
      return absl::UnavailableError(absl::StrCat("cannot open ", path_, ": ", m));
    }
    sqlite3_busy_timeout(db, 5000);
    // Numbers only go into the text, so nothing here needs quoting. Rows
    // written before the uid/array columns existed hold -1 there and are
    // decoded and matched by the caller's filter like any other.
    std::string sql =
        absl::StrCat("SELECT record FROM jobs WHERE (end_time=0 OR end_time>=", q.ended_after, ")");
    if (!q.uids.empty())
      absl::StrAppend(&sql, " AND uid IN (", absl::StrJoin(q.uids, ","), ",-1)");
    if (!q.ids.empty())
      absl::StrAppend(&sql, " AND (id IN (", absl::StrJoin(q.ids, ","),
                      ") OR array_job_id IN (", absl::StrJoin(q.ids, ","), ",-1))");
    // No ORDER BY: it would make SQLite walk the primary key (all rows)
    // instead of the end-time index; the few rows found are sorted here.
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      absl::Status s = absl::InternalError(absl::StrCat("sqlite: ", sqlite3_errmsg(db)));
      sqlite3_close(db);
      return s;
    }
    std::vector<Job> out;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      const char* txt = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
      auto job = DecodeJob(txt ? txt : "");
      if (job.ok()) out.push_back(*std::move(job));  // a corrupt row is not shown
    }
    absl::Status s = rc == SQLITE_DONE
                         ? absl::OkStatus()
                         : absl::InternalError(absl::StrCat("sqlite: ", sqlite3_errmsg(db)));
    sqlite3_finalize(st);
    sqlite3_close(db);
    if (!s.ok()) return s;
    std::sort(out.begin(), out.end(),
              [](const Job& a, const Job& b) { return a.id.value() < b.id.value(); });
    return out;
  }

 private:
  const std::string path_;
};

}  // namespace

std::unique_ptr<AcctReader> OpenSqliteAcctReader(const std::string& path) {
  return std::make_unique<SqliteAcctReader>(path);
}

}  // namespace sluice::ctld
