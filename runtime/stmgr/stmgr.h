#pragma once

// The stream manager of one container.
//
//   instances (Hello task N) --unix--> [InstanceLink]             [DEALER] --> tmaster
//                                            |   ^
//                     route by dest task     v   |  per-task queues
//   other stmgrs  --tcp--> [PULL data_in]  ---+---+---> [PUSH per peer] --tcp--> other stmgrs
//   stmgrs of this host --unix--> [peer socket]         [frames per peer] --unix--> stmgrs of this host
//
// Batches arrive already grouped (the emitting instance ran the grouping and
// addressed each batch to one task), so the stream manager forwards them by
// the destination task in the batch header and never decodes tuples. Every
// outgoing path has its own queue here; sends never block, and what a peer
// or instance cannot take yet waits in that queue. The bytes waiting for
// local instances (or a remote stream manager) drive backpressure: above the
// high watermark this stream manager tells every stream manager to throttle
// its spouts; below the low watermark it lifts that. Towards each local
// instance at most 8 batches (and about 2,048 tuples) are in flight: the instance reports each batch
// it finished (kConsumed), so a slow task's backlog waits here, where it is
// counted, rather than in socket buffers.
//
// The TCP sockets are CURVE (unless security.curve is off) and the server
// ones guarded by the process's transport::Gatekeeper; the Unix sockets (the
// instances', and the peers' of this host) sit in the owner-only state directory (docs/architecture.md, "Transport
// security").
//
// The rules (routing, delivery queues, credit window, stale drop,
// backpressure) live in the socket-free core shared with local mode
// (router.h, delivery_queue.h, backpressure_gauge.h, spout_state.h); this
// process adds the sockets (instance_link.h, peer_mesh.h, master_client.h)
// and the poll loop.

#include <string>

#include "common/status.h"
#include "state/state_manager.h"
#include "transport/address.h"

namespace gale::stmgr {

struct StmgrOptions {
  state::StateOptions state;  // which state manager, and the host-local root
  std::string topology;
  int container = 0;
  // Where the data socket binds (port chosen at start) and the address its
  // registration advertises to the master and the other stream managers.
  transport::NetworkAddress network;
};

Status RunStreamManager(const StmgrOptions& options);

}  // namespace gale::stmgr
