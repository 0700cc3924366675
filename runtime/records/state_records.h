#pragma once

// Typed records of the state manager (state/state_manager.h). Each keeps the
// file name and key=value format documented in docs/architecture.md:
//
//   packing        PackingPlan      task=<task> <container> <component>*, workers=
//   physical       PhysicalPlan     version=, stmgr=<container> <endpoint> <pid>*
//   activation     Activation       active=0|1
//   tmaster        MasterLocation   pid=, endpoint=, http= (optional), start= (optional),
//                                   host= (optional); also each alive/stmgr-<c>
//   pids/<name>    ProcessRecord    pid=, restarts=, start= (optional), host= (optional)
//   scheduler      SchedulerRecord  pid=, start= (optional)
//   slurm          SlurmJobs        job=<process> <job id>*  (scheduler: slurm)
//   alive/job-<p>  JobLocation      pid=, job=, node=, host=  (each Slurm job's process)
//   submit         Submission       file=, topology=, lib=*, filter=*, env_filter=, override=*,
//                                   package=, package_dir= (launch/package.h)
//   errors/task-N  TaskError        free text (one message)
//   keys           CurveKeys        server_public=, server_secret=, client_public=, client_secret=
//   http_token     HttpToken        token=
//
// Every record has `std::string Encode(const R&)` and `Status Decode(text,
// R*)`; DecodeRecord<R>(text) wraps the latter. Decoders never throw, refuse
// malformed text with kProtocol, and check ranges they can know (task >= 1,
// container >= 0, pid > 1, workers >= 1); callers check ids against the plan.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace gale::records {

struct PackingEntry {
  std::int32_t task = 1;
  std::int32_t container = 0;
  std::string component;
  bool operator==(const PackingEntry&) const = default;
};
struct PackingPlan {
  std::int32_t workers = 1;
  std::vector<PackingEntry> tasks;
  bool operator==(const PackingPlan&) const = default;
};

struct PhysicalEntry {
  std::int32_t container = 0;
  std::string endpoint;
  std::int32_t pid = 2;
  bool operator==(const PhysicalEntry&) const = default;
};
struct PhysicalPlan {
  std::string version;
  std::vector<PhysicalEntry> stmgrs;
  bool operator==(const PhysicalPlan&) const = default;
};

struct Activation {
  bool active = true;
  bool operator==(const Activation&) const = default;
};

// `start` in the pid records below: the process's start time in clock ticks
// since boot (/proc/<pid>/stat field 22, state::ProcessStartTime), so that a
// reader can tell the recorded process from a later one that reuses its pid.
// 0 when unknown (records written before it was kept): then only the
// command line identifies the process.
//
// `host`: the name of the host the process runs on (common/process.h
// HostName); empty in records written before it was kept.
//
// MasterLocation is also each stream manager's registration
// (alive/stmgr-<container>), its endpoint the data socket.
struct MasterLocation {
  std::int32_t pid = 2;
  std::string endpoint;  // advertised: "tcp://ADDRESS:PORT" (transport/address.h)
  std::string http;  // the master's HTTP URL; empty when it serves none
  std::uint64_t start = 0;
  std::string host{};  // "" when unknown
  bool operator==(const MasterLocation&) const = default;
};

struct ProcessRecord {
  std::int32_t pid = 2;
  std::int32_t restarts = 0;
  // Why its supervisor stopped restarting it (a crash loop); empty while
  // it is supervised.
  std::string given_up;
  std::uint64_t start = 0;
  std::string host{};  // "" when unknown
  bool operator==(const ProcessRecord&) const = default;
};

struct SchedulerRecord {
  std::int32_t pid = 2;
  std::uint64_t start = 0;
  bool operator==(const SchedulerRecord&) const = default;
};

// The Slurm jobs of a topology (scheduler: slurm): one per process the
// scheduler places, "tmaster" and "executor-<container>", with the id of its
// current job. Rewritten when a job is replaced.
struct SlurmJob {
  std::string process;
  std::string id;
  bool operator==(const SlurmJob&) const = default;
};
struct SlurmJobs {
  std::vector<SlurmJob> jobs;
  bool operator==(const SlurmJobs&) const = default;
};

// Where a Slurm job of the topology runs, published by its process as
// alive/job-<process> for as long as it lives.
struct JobLocation {
  std::int32_t pid = 2;
  std::string job;   // the Slurm job id
  std::string node;  // the Slurm node name
  std::string host;  // the host's advertised address or name
  bool operator==(const JobLocation&) const = default;
};

// How a topology was submitted (launch::TopologySource).
struct Submission {
  std::string file;
  std::string topology;
  std::vector<std::string> libs;
  std::vector<std::string> filters;
  bool env_filter = false;
  std::vector<std::string> overrides;
  // The topology package every process loads from (launch/package.h): its
  // id (the SHA-256 of its manifest) and its directory. The fields above
  // say what the user submitted, for messages only.
  std::string package;
  std::string package_dir;
  bool operator==(const Submission&) const = default;
};

// The topology's CURVE keys (security.curve), made by `gale submit`: every
// server socket of the topology uses the server pair, every client the
// client pair. Each key is the 40-character Z85 text of 32 bytes. A secret:
// the state manager keeps it readable by its owner only (localfs: 0600 in a
// 0700 directory).
struct CurveKeys {
  std::string server_public;
  std::string server_secret;
  std::string client_public;
  std::string client_secret;
  bool operator==(const CurveKeys&) const = default;
};
inline constexpr std::size_t kZ85KeyChars = 40;
// Whether `text` is a Z85-encoded 32-byte key.
bool IsZ85Key(std::string_view text);

// The bearer token that guards the topology master's HTTP actions
// (activate, deactivate): random per submit, kept like CurveKeys (owner
// only).
struct HttpToken {
  std::string token;  // kHttpTokenChars hex digits
  bool operator==(const HttpToken&) const = default;
};
inline constexpr std::size_t kHttpTokenChars = 64;

struct TaskError {
  std::string message;  // one line; newlines become spaces
  bool operator==(const TaskError&) const = default;
};

std::string Encode(const PackingPlan& r);
std::string Encode(const PhysicalPlan& r);
std::string Encode(const Activation& r);
std::string Encode(const MasterLocation& r);
std::string Encode(const ProcessRecord& r);
std::string Encode(const SchedulerRecord& r);
std::string Encode(const Submission& r);
std::string Encode(const TaskError& r);
std::string Encode(const CurveKeys& r);
std::string Encode(const HttpToken& r);
std::string Encode(const SlurmJobs& r);
std::string Encode(const JobLocation& r);

Status Decode(std::string_view text, PackingPlan* out);
Status Decode(std::string_view text, PhysicalPlan* out);
Status Decode(std::string_view text, Activation* out);
Status Decode(std::string_view text, MasterLocation* out);
Status Decode(std::string_view text, ProcessRecord* out);
Status Decode(std::string_view text, SchedulerRecord* out);
Status Decode(std::string_view text, Submission* out);
Status Decode(std::string_view text, TaskError* out);
Status Decode(std::string_view text, CurveKeys* out);
Status Decode(std::string_view text, HttpToken* out);
Status Decode(std::string_view text, SlurmJobs* out);
Status Decode(std::string_view text, JobLocation* out);

template <typename R>
Result<R> DecodeRecord(std::string_view text) {
  R r;
  Status s = Decode(text, &r);
  if (!s.ok()) return s;
  return r;
}

}  // namespace gale::records
