#include "grouping/grouping.h"

#include <cstring>

#include "gale/registry.h"
#include "wire/bytes.h"

namespace gale::grouping {
namespace {

inline std::uint64_t Mix(std::uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

// Eight bytes at a time, multiply-xorshift per word; the final murmur3 mix
// (in HashKey) spreads the result over all 64 bits. Words are read
// little-endian, so every process computes the same hash.
inline std::uint64_t HashBytes(std::string_view bytes, std::uint64_t h) {
  constexpr std::uint64_t kMul = 0x9E3779B97F4A7C15ULL;
  const char* p = bytes.data();
  std::size_t n = bytes.size();
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * kMul;
    h ^= h >> 29;
  }
  // The last 0-7 bytes in at most two loads (keys are mostly short words):
  // 4-7 as two overlapping 4-byte words, 1-3 as their first, middle and
  // last byte. Either way every byte is in, and the length goes in too.
  std::uint64_t tail = 0;
  if (n >= 4) {
    std::uint32_t lo;
    std::uint32_t hi;
    std::memcpy(&lo, p, 4);
    std::memcpy(&hi, p + n - 4, 4);
    tail = lo | (static_cast<std::uint64_t>(hi) << 32);
  } else if (n > 0) {
    tail = static_cast<std::uint64_t>(static_cast<unsigned char>(p[0])) |
           static_cast<std::uint64_t>(static_cast<unsigned char>(p[n / 2])) << 8 |
           static_cast<std::uint64_t>(static_cast<unsigned char>(p[n - 1])) << 16;
  }
  h = (h ^ tail ^ (static_cast<std::uint64_t>(n) << 56)) * kMul;
  return h ^ (h >> 29);
}

// Maps a well-mixed hash onto [0, n) without a division.
inline std::size_t Reduce(std::uint64_t h, std::size_t n) {
  return static_cast<std::size_t>((static_cast<unsigned __int128>(h) * n) >> 64);
}

class ShuffleGrouping : public Grouping {
 public:
  ShuffleGrouping(std::vector<std::int32_t> targets, std::uint64_t seed)
      : targets_(std::move(targets)), next_(seed % targets_.size()) {}
  void Choose(const RoutingInput&, std::vector<std::int32_t>* out) override {
    out->push_back(targets_[next_]);
    if (++next_ == targets_.size()) next_ = 0;
  }

 private:
  std::vector<std::int32_t> targets_;
  std::size_t next_;
};

class FieldsGrouping : public Grouping {
 public:
  FieldsGrouping(std::vector<std::int32_t> targets, std::vector<std::size_t> keys)
      : targets_(std::move(targets)), keys_(std::move(keys)) {}
  void Choose(const RoutingInput& in, std::vector<std::int32_t>* out) override {
    out->push_back(targets_[Reduce(HashKey(in, keys_), targets_.size())]);
  }

 private:
  std::vector<std::int32_t> targets_;
  std::vector<std::size_t> keys_;
};

class AllGrouping : public Grouping {
 public:
  explicit AllGrouping(std::vector<std::int32_t> targets) : targets_(std::move(targets)) {}
  void Choose(const RoutingInput&, std::vector<std::int32_t>* out) override {
    out->insert(out->end(), targets_.begin(), targets_.end());
  }

 private:
  std::vector<std::int32_t> targets_;
};

class GlobalGrouping : public Grouping {
 public:
  explicit GlobalGrouping(std::int32_t target) : target_(target) {}
  void Choose(const RoutingInput&, std::vector<std::int32_t>* out) override {
    out->push_back(target_);
  }

 private:
  std::int32_t target_;
};

class CustomGroupingAdapter : public Grouping {
 public:
  CustomGroupingAdapter(std::unique_ptr<CustomGrouping> user, std::vector<std::int32_t> targets)
      : user_(std::move(user)), targets_(std::move(targets)) {}
  void Choose(const RoutingInput& in, std::vector<std::int32_t>* out) override {
    const Values* values = in.values;
    if (values == nullptr) {
      if (!wire::DecodeValues(in.encoded_values, &scratch_).ok()) return;
      values = &scratch_;
    }
    for (int task : user_->ChooseTasks(in.source_task, *values)) {
      // Only the subscribed tasks are valid targets; others are ignored.
      for (std::int32_t t : targets_) {
        if (t == task) {
          out->push_back(task);
          break;
        }
      }
    }
  }

 private:
  std::unique_ptr<CustomGrouping> user_;
  std::vector<std::int32_t> targets_;
  Values scratch_;
};

}  // namespace

namespace {

// A string or bytes key field is hashed over its payload, seeded by its tag,
// so the emitter can hash the user's value where it lives instead of the
// bytes it has just encoded (reading those back stalls on the stores that
// wrote them). Every other type is hashed over its encoded bytes. Both
// routes give the same hash.
std::uint64_t HashEncodedField(std::string_view encoded, std::uint64_t h) {
  if (!encoded.empty()) {
    const auto tag = static_cast<std::uint8_t>(encoded[0]);
    if (tag == wire::kTagString || tag == wire::kTagBytes) {
      wire::Reader r(encoded.substr(1));
      std::uint64_t n;
      if (r.GetVarint(&n) && n == r.remaining()) {
        return HashBytes(std::string_view(r.position(), r.remaining()), h ^ tag);
      }
    }
  }
  return HashBytes(encoded, h);
}

}  // namespace

std::uint64_t HashKey(const RoutingInput& in, const std::vector<std::size_t>& key_indexes) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (std::size_t k : key_indexes) {
    if (in.spans != nullptr && k < in.spans->size()) {
      const wire::Span& s = (*in.spans)[k];
      const std::string* str =
          in.values != nullptr && k < in.values->size() ? std::get_if<std::string>(&(*in.values)[k])
                                                       : nullptr;
      if (str != nullptr) {
        h = HashBytes(*str, h ^ wire::kTagString);
      } else {
        h = HashEncodedField(std::string_view(in.encoded_values.data() + s.offset, s.size), h);
      }
    }
    h = (h ^ 0x1f) * 0x100000001b3ULL;  // separator so ("ab","c") and ("a","bc") differ
  }
  return Mix(h);
}

Result<std::unique_ptr<Grouping>> MakeGrouping(const GroupingOptions& o) {
  if (o.target_tasks.empty()) return InternalError("grouping without target tasks");
  switch (o.spec.type) {
    case GroupingType::kShuffle:
    case GroupingType::kNone:
      return std::unique_ptr<Grouping>(new ShuffleGrouping(o.target_tasks, o.seed));
    case GroupingType::kLocalOrShuffle:
      return std::unique_ptr<Grouping>(
          new ShuffleGrouping(o.local_tasks.empty() ? o.target_tasks : o.local_tasks, o.seed));
    case GroupingType::kFields:
      return std::unique_ptr<Grouping>(new FieldsGrouping(o.target_tasks, o.key_indexes));
    case GroupingType::kAll:
      return std::unique_ptr<Grouping>(new AllGrouping(o.target_tasks));
    case GroupingType::kGlobal:
      return std::unique_ptr<Grouping>(new GlobalGrouping(o.target_tasks.front()));
    case GroupingType::kDirect:
      return InternalError("DIRECT grouping has no grouping object");
    case GroupingType::kCustom: {
      auto user = Registry::Global().NewGrouping(o.spec.custom_class);
      if (!user) {
        return NotFound("custom grouping class '" + o.spec.custom_class +
                        "' is not registered (load its plugin with --lib)");
      }
      Config args("grouping '" + o.spec.custom_class + "'");
      args.SetList("args", o.spec.args);
      std::vector<int> targets(o.target_tasks.begin(), o.target_tasks.end());
      user->Prepare(o.source_component, o.stream, targets, args);
      return std::unique_ptr<Grouping>(new CustomGroupingAdapter(std::move(user), o.target_tasks));
    }
  }
  return InternalError("unknown grouping type");
}

}  // namespace gale::grouping
