#include "task/emitter.h"

#include <stdexcept>

namespace gale::task {

Emitter::Emitter(std::shared_ptr<const plan::TopologyPlan> plan, std::int32_t task_id,
                 Outbox* outbox, TaskMetrics* metrics, EmitterOptions options, std::uint64_t seed)
    : plan_(std::move(plan)),
      task_id_(task_id),
      component_(&plan_->component_of(task_id)),
      outbox_(outbox),
      metrics_(metrics),
      options_(options),
      seed_(seed) {
  std::size_t tasks = static_cast<std::size_t>(plan_->max_task_id()) + 1;
  data_batches_.resize(tasks);
  ack_batches_.resize(tasks);
}

Status Emitter::Init() {
  std::uint64_t salt = 0;
  for (const auto& [name, index] : component_->streams) {
    StreamRoutes routes;
    routes.info = &plan_->streams()[index];
    for (const plan::Subscription& sub : routes.info->subscribers) {
      routes.subscriptions.push_back(&sub);
      if (sub.grouping.type == GroupingType::kDirect) {
        routes.groupings.push_back(nullptr);
        continue;
      }
      grouping::GroupingOptions o;
      o.spec = sub.grouping;
      o.source_component = component_->id;
      o.stream = name;
      o.target_tasks = sub.target_tasks;
      o.key_indexes = sub.key_indexes;
      for (std::int32_t t : sub.target_tasks) {
        if (options_.container < 0 || plan_->container_of(t) == options_.container) {
          o.local_tasks.push_back(t);
        }
      }
      o.seed = seed_ + (salt++);
      try {
        auto g = grouping::MakeGrouping(o);
        if (!g.ok()) return g.status();
        routes.groupings.push_back(std::move(g).value());
      } catch (const std::exception& e) {
        return Status(ErrorCode::kUserCode, "custom grouping '" + sub.grouping.custom_class +
                                                "' threw in Prepare: " + e.what());
      }
    }
    route_names_.push_back(name);
    routes_.push_back(std::move(routes));
  }
  return Status::Ok();
}

const Emitter::StreamRoutes& Emitter::Resolve(std::string_view stream) {
  if (last_route_ < routes_.size() && route_names_[last_route_] == stream) {
    return routes_[last_route_];
  }
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    if (route_names_[i] == stream) {
      last_route_ = i;
      return routes_[i];
    }
  }
  std::string declared;
  for (const auto& n : route_names_) declared += (declared.empty() ? "" : ", ") + n;
  throw std::invalid_argument("component '" + component_->id + "' emitted on stream '" +
                              std::string(stream) + "', which it does not declare (declared: " +
                              (declared.empty() ? "none" : declared) + ")");
}

const std::vector<std::int32_t>& Emitter::Prepare(std::string_view stream, const Values& values,
                                                  int direct_task) {
  const StreamRoutes& routes = Resolve(stream);
  const plan::StreamInfo& info = *routes.info;
  if (values.size() != info.meta.fields.size()) {
    throw std::invalid_argument("component '" + component_->id + "' emitted " +
                                std::to_string(values.size()) + " values on stream '" +
                                info.meta.stream + "', which declares " +
                                std::to_string(info.meta.fields.size()) + " fields " +
                                info.meta.fields.ToString());
  }
  current_ = &routes;
  current_metrics_ = metrics_->stream(info.index);
  targets_.clear();
  if (info.subscribers.empty() && direct_task < 0) return targets_;
  encoded_.clear();
  wire::EncodeValues(values, &encoded_, &spans_);
  if (encoded_.size() > wire::kMaxTupleValueBytes) {
    std::size_t size = encoded_.size();
    std::string().swap(encoded_);  // let the memory go
    throw std::invalid_argument("component '" + component_->id + "' emitted a tuple of " +
                                std::to_string(size) + " bytes on stream '" + info.meta.stream +
                                "', over the limit of " +
                                std::to_string(wire::kMaxTupleValueBytes) +
                                " bytes per tuple; split the value over several tuples");
  }
  if (direct_task >= 0) {
    for (const plan::Subscription* sub : routes.subscriptions) {
      if (sub->grouping.type != GroupingType::kDirect) continue;
      for (std::int32_t t : sub->target_tasks) {
        if (t == direct_task) targets_.push_back(t);
      }
    }
    if (targets_.empty()) {
      throw std::invalid_argument("component '" + component_->id + "' emitted directly to task " +
                                  std::to_string(direct_task) + " on stream '" +
                                  info.meta.stream +
                                  "', but no component subscribed with DIRECT grouping has "
                                  "that task");
    }
    return targets_;
  }
  grouping::RoutingInput in;
  in.source_task = task_id_;
  in.encoded_values = encoded_;
  in.spans = &spans_;
  in.values = &values;
  for (std::size_t i = 0; i < routes.groupings.size(); ++i) {
    if (routes.groupings[i]) routes.groupings[i]->Choose(in, &targets_);
  }
  return targets_;
}

wire::BatchWriter& Emitter::Writer(std::vector<std::unique_ptr<wire::BatchWriter>>& table,
                                   wire::BatchKind kind, std::int32_t dest) {
  auto& slot = table[static_cast<std::size_t>(dest)];
  if (!slot) slot = std::make_unique<wire::BatchWriter>(kind, dest);
  if (slot->empty()) dirty_.push_back({kind == wire::BatchKind::kAck, dest});
  return *slot;
}

void Emitter::MaybeSend(std::vector<std::unique_ptr<wire::BatchWriter>>& table,
                        std::int32_t dest) {
  wire::BatchWriter& w = *table[static_cast<std::size_t>(dest)];
  if (w.count() >= options_.batch_max_tuples || w.bytes() >= options_.batch_max_bytes) {
    outbox_->Send(dest, w.Take());
    outbox_->Commit();
    // Its dirty entry stays; Flush skips batches that are empty by then.
  }
}

void Emitter::Append(std::int32_t dest, const internal::Anchor* anchors,
                     std::size_t anchor_count) {
  wire::BatchWriter& writer = Writer(data_batches_, wire::BatchKind::kData, dest);
  if (anchor_count == 0 || anchor_count > kMaxFoldAnchors) {
    writer.AddData(current_->info->index, task_id_, anchors, anchor_count, encoded_);
    fold_count_ = 0;
  } else {
    std::size_t offsets[kMaxFoldAnchors];
    writer.AddData(current_->info->index, task_id_, anchors, anchor_count, encoded_, offsets);
    for (std::size_t i = 0; i < anchor_count; ++i) {
      fold_spots_[i] = {anchors[i].spout_task, anchors[i].root, offsets[i]};
    }
    fold_count_ = anchor_count;
    fold_writer_ = &writer;
    fold_generation_ = writer.generation();
  }
  metrics_->transferred.Add();
  if (current_metrics_ != nullptr) current_metrics_->transferred.Add();
  MaybeSend(data_batches_, dest);
}

void Emitter::SendAck(std::int32_t spout_task, const wire::AckRecord& ack) {
  // Anchors come off the wire; the bolt executor refuses unknown tasks
  // before they get here, and this keeps the table access in bounds anyway.
  if (spout_task < 1 || spout_task > plan_->max_task_id()) return;
  Writer(ack_batches_, wire::BatchKind::kAck, spout_task).AddAck(ack);
  MaybeSend(ack_batches_, spout_task);
}

bool Emitter::FoldAck(std::int32_t spout_task, std::uint64_t root, std::uint64_t value) {
  if (fold_count_ == 0 || fold_writer_->generation() != fold_generation_) return false;
  for (std::size_t i = 0; i < fold_count_; ++i) {
    if (fold_spots_[i].root == root && fold_spots_[i].spout_task == spout_task) {
      fold_writer_->XorAt(fold_spots_[i].offset, value);
      return true;
    }
  }
  return false;
}

void Emitter::Flush(bool commit) {
  for (const Dirty& d : dirty_) {
    auto& slot = (d.ack ? ack_batches_ : data_batches_)[static_cast<std::size_t>(d.dest)];
    if (slot && !slot->empty()) outbox_->Send(d.dest, slot->Take());
  }
  dirty_.clear();
  if (commit) outbox_->Commit();
}

}  // namespace gale::task
