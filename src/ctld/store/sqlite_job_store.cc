#include "absl/strings/string_view.h"
#include <sqlite3.h>

#include <map>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "ctld/store/job_store.h"

namespace sluice::ctld {
namespace {

sqlite3* OpenDb(const std::string& path, std::string* err) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    *err = absl::StrCat("cannot open ", path, ": ", db ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close(db);
    return nullptr;
  }
  return db;
}

// Not thread-safe: the controller's strand alone writes.
class SqliteJobStore : public JobStore {
 public:
  SqliteJobStore(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  ~SqliteJobStore() override { Close(); }

  absl::Status Init() {
    const char* ddl =
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=FULL;"
        "CREATE TABLE IF NOT EXISTS jobs(id INTEGER PRIMARY KEY,"
        " end_time INTEGER NOT NULL, record TEXT NOT NULL);"
        "CREATE INDEX IF NOT EXISTS jobs_end ON jobs(end_time);"
        "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER);"
        "CREATE TABLE IF NOT EXISTS settings(name TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "CREATE TABLE IF NOT EXISTS job_bodies(id INTEGER PRIMARY KEY,"
        " script BLOB NOT NULL, env BLOB NOT NULL);";
    if (auto s = Exec(ddl); !s.ok()) return s;
    // Accounting's indexes (sacct -u, sacct -j ARRAY). A database from
    // before them gets the columns with -1/0: such rows are decoded to be
    // matched (AcctScan), so nothing old is lost from sacct.
    if (!HasColumn("uid")) {
      if (auto s = Exec("ALTER TABLE jobs ADD COLUMN uid INTEGER NOT NULL DEFAULT -1;"
                        "ALTER TABLE jobs ADD COLUMN array_job_id INTEGER NOT NULL DEFAULT -1;");
          !s.ok())
        return s;
    }
    if (auto s = Exec("CREATE INDEX IF NOT EXISTS jobs_uid_end ON jobs(uid,end_time);"
                      "CREATE INDEX IF NOT EXISTS jobs_array ON jobs(array_job_id);");
        !s.ok())
      return s;
    if (sqlite3_prepare_v2(db_,
                           "INSERT OR REPLACE INTO jobs(id,end_time,uid,array_job_id,record)"
                           " VALUES(?,?,?,?,?)",
                           -1, &put_, nullptr) != SQLITE_OK ||
        sqlite3_prepare_v2(db_,
                           "INSERT OR REPLACE INTO meta(key,value)"
                           " VALUES('next_job_id',?)",
                           -1, &meta_, nullptr) != SQLITE_OK ||
        sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO job_bodies(id,script,env) VALUES(?,?,?)",
                           -1, &put_body_, nullptr) != SQLITE_OK ||
        sqlite3_prepare_v2(db_, "SELECT script, env FROM job_bodies WHERE id=?", -1, &get_body_,
                           nullptr) != SQLITE_OK ||
        sqlite3_prepare_v2(db_, "DELETE FROM job_bodies WHERE id=?", -1, &drop_body_,
                           nullptr) != SQLITE_OK)
      return Err("prepare");
    return absl::OkStatus();
  }

  absl::Status Save(const std::vector<const Job*>& jobs,
                    uint64_t next_job_id) override {
    // A database opened on a read-only directory stays read-only: open it
    // again, so a remounted directory is taken back without a restart.
    if (sqlite3_db_readonly(db_, "main") == 1)
      if (auto s = Reopen(); !s.ok()) return s;
    if (sqlite3_db_readonly(db_, "main") == 1)
      return absl::UnavailableError(absl::StrCat("sqlite: ", path_, " is read-only"));
    if (auto s = Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
    for (const Job* j : jobs) {
      if (j->spec.HoldsBody()) {
        const JobSpec& s = j->spec;
        sqlite3_reset(put_body_);
        sqlite3_bind_int64(put_body_, 1, static_cast<sqlite3_int64>(j->id.value()));
        sqlite3_bind_blob(put_body_, 2, s.script.data(), static_cast<int>(s.script.size()),
                          SQLITE_STATIC);
        sqlite3_bind_blob(put_body_, 3, s.env_block.data(), static_cast<int>(s.env_block.size()),
                          SQLITE_STATIC);
        if (sqlite3_step(put_body_) != SQLITE_DONE) return Abort("insert job body");
      }
      std::string rec = EncodeJob(*j, /*with_body=*/false);
      sqlite3_reset(put_);
      sqlite3_bind_int64(put_, 1, static_cast<sqlite3_int64>(j->id.value()));
      sqlite3_bind_int64(put_, 2, common::IsFinished(j->state) ? j->end_time : 0);
      sqlite3_bind_int64(put_, 3, j->spec.uid);
      sqlite3_bind_int64(put_, 4, static_cast<sqlite3_int64>(j->array_job_id));
      sqlite3_bind_text(put_, 5, rec.data(), static_cast<int>(rec.size()),
                        SQLITE_TRANSIENT);
      if (sqlite3_step(put_) != SQLITE_DONE) return Abort("insert job");
    }
    sqlite3_reset(meta_);
    sqlite3_bind_int64(meta_, 1, static_cast<sqlite3_int64>(next_job_id));
    if (sqlite3_step(meta_) != SQLITE_DONE) return Abort("update meta");
    if (auto s = DeleteDroppedBodies(); !s.ok()) return s;
    if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK)
      return Abort("commit");
    drop_.clear();
    return absl::OkStatus();
  }

  absl::StatusOr<JobBody> LoadBody(uint64_t body_id) override {
    sqlite3_reset(get_body_);
    sqlite3_bind_int64(get_body_, 1, static_cast<sqlite3_int64>(body_id));
    int rc = sqlite3_step(get_body_);
    if (rc == SQLITE_DONE)
      return absl::NotFoundError(absl::StrCat("no stored script for job ", body_id));
    if (rc != SQLITE_ROW) return Err("load job body");
    JobBody b;
    auto col = [&](int i) {
      const char* p = static_cast<const char*>(sqlite3_column_blob(get_body_, i));
      return std::string(p ? p : "", static_cast<size_t>(sqlite3_column_bytes(get_body_, i)));
    };
    b.script = col(0);
    b.env_block = col(1);
    sqlite3_reset(get_body_);
    return b;
  }

  void DropBodies(const std::vector<uint64_t>& ids) override {
    drop_.insert(drop_.end(), ids.begin(), ids.end());
  }

  absl::Status KeepBodies(const std::vector<uint64_t>& keep) override {
    std::set<uint64_t> wanted(keep.begin(), keep.end());
    sqlite3_stmt* q = nullptr;
    if (sqlite3_prepare_v2(db_, "SELECT id FROM job_bodies", -1, &q, nullptr) != SQLITE_OK)
      return Err("prepare body list");
    std::vector<uint64_t> gone;
    while (sqlite3_step(q) == SQLITE_ROW) {
      auto id = static_cast<uint64_t>(sqlite3_column_int64(q, 0));
      if (!wanted.count(id)) gone.push_back(id);
    }
    sqlite3_finalize(q);
    DropBodies(gone);
    return FlushDroppedBodies();
  }

  size_t ReleaseMemory() override {
    int before = 0, hi = 0;
    sqlite3_db_status(db_, SQLITE_DBSTATUS_CACHE_USED, &before, &hi, 0);
    sqlite3_db_release_memory(db_);
    int after = 0;
    sqlite3_db_status(db_, SQLITE_DBSTATUS_CACHE_USED, &after, &hi, 0);
    return before > after ? static_cast<size_t>(before - after) : 0;
  }

  absl::Status SaveSetting(const std::string& name, const std::string& value) override {
    if (sqlite3_db_readonly(db_, "main") == 1)
      if (auto s = Reopen(); !s.ok()) return s;
    sqlite3_stmt* q = nullptr;
    if (sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO settings(name,value) VALUES(?,?)", -1, &q,
                           nullptr) != SQLITE_OK)
      return Err("prepare setting");
    sqlite3_bind_text(q, 1, name.data(), static_cast<int>(name.size()), SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 2, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? absl::OkStatus() : Err("save setting");
  }

  absl::StatusOr<StoredState> Load(int64_t finished_after) override {
    StoredState st;
    sqlite3_stmt* q = nullptr;
    if (sqlite3_prepare_v2(db_, "SELECT name, value FROM settings", -1, &q, nullptr) != SQLITE_OK)
      return Err("prepare settings");
    while (sqlite3_step(q) == SQLITE_ROW) {
      const char* n = reinterpret_cast<const char*>(sqlite3_column_text(q, 0));
      const char* v = reinterpret_cast<const char*>(sqlite3_column_text(q, 1));
      st.settings[n ? n : ""] = v ? v : "";
    }
    sqlite3_finalize(q);
    q = nullptr;
    if (sqlite3_prepare_v2(db_, "SELECT value FROM meta WHERE key='next_job_id'",
                           -1, &q, nullptr) != SQLITE_OK)
      return Err("prepare meta");
    if (sqlite3_step(q) == SQLITE_ROW)
      st.next_job_id = static_cast<uint64_t>(sqlite3_column_int64(q, 0));
    sqlite3_finalize(q);
    if (sqlite3_prepare_v2(db_,
                           "SELECT record FROM jobs WHERE end_time=0 OR "
                           "end_time>? ORDER BY id",
                           -1, &q, nullptr) != SQLITE_OK)
      return Err("prepare load");
    sqlite3_bind_int64(q, 1, finished_after);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
      const char* txt = reinterpret_cast<const char*>(sqlite3_column_text(q, 0));
      auto job = DecodeJob(txt ? txt : "");
      if (!job.ok()) {
        sqlite3_finalize(q);
        return job.status();
      }
      if (job->id.value() >= st.next_job_id) st.next_job_id = job->id.value() + 1;
      st.jobs.push_back(std::move(*job));
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) return Err("load jobs");
    return st;
  }

  absl::StatusOr<int> Purge(int64_t ended_before) override {
    if (sqlite3_db_readonly(db_, "main") == 1)
      return absl::UnavailableError(absl::StrCat("sqlite: ", path_, " is read-only"));
    sqlite3_stmt* q = nullptr;
    if (sqlite3_prepare_v2(db_, "DELETE FROM jobs WHERE end_time>0 AND end_time<?", -1, &q,
                           nullptr) != SQLITE_OK)
      return Err("prepare purge");
    sqlite3_bind_int64(q, 1, ended_before);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) return Err("purge");
    int purged = sqlite3_changes(db_);
    if (auto s = FlushDroppedBodies(); !s.ok()) return s;  // let go since the last write
    return purged;
  }

 private:
  bool HasColumn(const char* name) {
    sqlite3_stmt* q = nullptr;
    bool found = false;
    if (sqlite3_prepare_v2(db_, "PRAGMA table_info(jobs)", -1, &q, nullptr) != SQLITE_OK)
      return false;
    while (sqlite3_step(q) == SQLITE_ROW) {
      const char* c = reinterpret_cast<const char*>(sqlite3_column_text(q, 1));
      if (c && std::string(c) == name) found = true;
    }
    sqlite3_finalize(q);
    return found;
  }
  // The pending deletes in a transaction of their own.
  absl::Status FlushDroppedBodies() {
    if (drop_.empty()) return absl::OkStatus();
    if (auto s = Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
    if (auto s = DeleteDroppedBodies(); !s.ok()) return s;
    if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK)
      return Abort("commit");
    drop_.clear();
    return absl::OkStatus();
  }
  // Inside the caller's transaction.
  absl::Status DeleteDroppedBodies() {
    for (uint64_t id : drop_) {
      sqlite3_reset(drop_body_);
      sqlite3_bind_int64(drop_body_, 1, static_cast<sqlite3_int64>(id));
      if (sqlite3_step(drop_body_) != SQLITE_DONE) return Abort("delete job body");
    }
    return absl::OkStatus();
  }
  absl::Status Exec(const char* sql) {
    char* msg = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
      std::string m = msg ? msg : "unknown";
      sqlite3_free(msg);
      return absl::InternalError(absl::StrCat("sqlite: ", m));
    }
    return absl::OkStatus();
  }
  absl::Status Err(absl::string_view what) {
    return absl::InternalError(
        absl::StrCat("sqlite ", what, ": ", sqlite3_errmsg(db_)));
  }
  // The error of the failed statement, then the transaction rolled back
  // (sqlite's message must be read before the rollback replaces it).
  absl::Status Abort(absl::string_view what) {
    absl::Status s = absl::UnavailableError(
        absl::StrCat("sqlite ", what, ": ", sqlite3_errmsg(db_)));
    sqlite3_reset(put_);
    sqlite3_reset(meta_);
    sqlite3_reset(put_body_);
    sqlite3_reset(drop_body_);
    if (sqlite3_get_autocommit(db_) == 0)
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return s;
  }
  void Close() {
    for (sqlite3_stmt** q : {&put_, &meta_, &put_body_, &get_body_, &drop_body_}) {
      sqlite3_finalize(*q);
      *q = nullptr;
    }
    sqlite3_close(db_);
    db_ = nullptr;
  }
  absl::Status Reopen() {
    std::string err;
    sqlite3* db = OpenDb(path_, &err);
    if (!db) return absl::UnavailableError(err);
    Close();
    db_ = db;
    return Init();
  }

  sqlite3* db_;
  const std::string path_;
  sqlite3_stmt* put_ = nullptr;
  sqlite3_stmt* meta_ = nullptr;
  sqlite3_stmt* put_body_ = nullptr;
  sqlite3_stmt* get_body_ = nullptr;
  sqlite3_stmt* drop_body_ = nullptr;
  std::vector<uint64_t> drop_;  // bodies to delete with the next write
};

class MemoryJobStore : public JobStore {
 public:
  absl::Status Save(const std::vector<const Job*>& jobs,
                    uint64_t next_job_id) override {
    for (const Job* j : jobs) {
      if (j->spec.HoldsBody()) bodies_[j->id.value()] = {j->spec.script, j->spec.env_block};
      records_[j->id.value()] = EncodeJob(*j, /*with_body=*/false);
    }
    next_ = next_job_id;
    return absl::OkStatus();
  }
  absl::StatusOr<JobBody> LoadBody(uint64_t id) override {
    auto it = bodies_.find(id);
    if (it == bodies_.end()) return absl::NotFoundError(absl::StrCat("no stored script for job ", id));
    return it->second;
  }
  void DropBodies(const std::vector<uint64_t>& ids) override {
    for (uint64_t id : ids) bodies_.erase(id);
  }
  absl::Status KeepBodies(const std::vector<uint64_t>& keep) override {
    std::set<uint64_t> wanted(keep.begin(), keep.end());
    std::erase_if(bodies_, [&](const auto& b) { return !wanted.count(b.first); });
    return absl::OkStatus();
  }
  absl::StatusOr<int> Purge(int64_t ended_before) override {
    int n = 0;
    for (auto it = records_.begin(); it != records_.end();) {
      auto j = DecodeJob(it->second);
      if (j.ok() && common::IsFinished(j->state) && j->end_time > 0 && j->end_time < ended_before) {
        it = records_.erase(it);
        ++n;
      } else {
        ++it;
      }
    }
    return n;
  }
  absl::Status SaveSetting(const std::string& name, const std::string& value) override {
    settings_[name] = value;
    return absl::OkStatus();
  }
  absl::StatusOr<StoredState> Load(int64_t finished_after) override {
    StoredState st;
    st.next_job_id = next_;
    st.settings = settings_;
    for (const auto& [id, rec] : records_) {
      auto j = DecodeJob(rec);
      if (!j.ok()) return j.status();
      if (common::IsFinished(j->state) && j->end_time <= finished_after)
        continue;
      st.jobs.push_back(std::move(*j));
    }
    return st;
  }

 private:
  std::map<uint64_t, std::string> records_;
  std::map<uint64_t, JobBody> bodies_;
  uint64_t next_ = 1;
  std::map<std::string, std::string> settings_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<JobStore>> OpenSqliteJobStore(
    const std::string& path) {
  std::string err;
  sqlite3* db = OpenDb(path, &err);
  if (!db) return absl::UnavailableError(err);
  auto store = std::make_unique<SqliteJobStore>(db, path);
  if (auto s = store->Init(); !s.ok()) return s;
  return std::unique_ptr<JobStore>(std::move(store));
}

std::unique_ptr<JobStore> MakeMemoryJobStore() {
  return std::make_unique<MemoryJobStore>();
}

}  // namespace sluice::ctld
