// nDPI flow classifier for PacketFlux: one detection module per instance, one nDPI flow per
// flow-table slot. The per-packet entry point (`feed`) takes a borrowed Buffer plus offset and
// length, creates no JS values besides its boolean answer, and allocates only on a slot's
// first packet (the nDPI flow struct). Results live in a Uint16Array shared with JS
// ([protocol, category] per slot) so reading them never crosses the boundary.
//
// Detection follows ndpiReader (nDPI's example/reader_util.c, packet_processing):
//  - every packet of a flow counts towards the limit, including the current one;
//  - the flow is final once the app protocol is known and ndpi_extra_dissection_possible()
//    is false, or once more than kMaxTcpPackets (TCP) / kMaxUdpPackets (UDP) packets were seen
//    (ndpiReader's -T/-U defaults), or when nDPI marks it fail_with_unknown;
//  - when final and the app protocol is still unknown: ndpi_detection_giveup() with guessing;
//  - finish() (flow ended/idled out) gives up with guessing if the flow is not final yet,
//    as ndpiReader's node_proto_guess_walker does at the end of a capture.
// The protocol reported for a flow is app_protocol if known, else master_protocol, the id
// ndpiReader's "Detected protocols" table is keyed by.

#include <napi.h>

#include <cstdint>
#include <cstring>
#include <vector>

extern "C" {
#include <ndpi_api.h>
}

#define PF_NDPI_VERSION (NDPI_MAJOR * 100 + NDPI_MINOR)

namespace {

constexpr uint32_t kMaxTcpPackets = 80;  // ndpiReader 4.2: max_num_tcp_dissected_pkts
constexpr uint32_t kMaxUdpPackets = 24;  // ndpiReader 4.2: max_num_udp_dissected_pkts
constexpr uint32_t kMaxSlots = 1u << 24;

enum SlotState : uint8_t { kEmpty = 0, kDetecting = 1, kFinal = 2 };

struct Slot {
  ndpi_flow_struct* flow;
  uint32_t packets;
  uint8_t state;
};

inline uint16_t AppOrMaster(const ndpi_protocol& p) {
#if PF_NDPI_VERSION >= 410
  return p.proto.app_protocol != NDPI_PROTOCOL_UNKNOWN ? p.proto.app_protocol : p.proto.master_protocol;
#else
  return p.app_protocol != NDPI_PROTOCOL_UNKNOWN ? p.app_protocol : p.master_protocol;
#endif
}

inline bool AppKnown(const ndpi_protocol& p) {
#if PF_NDPI_VERSION >= 410
  return p.proto.app_protocol != NDPI_PROTOCOL_UNKNOWN;
#else
  return p.app_protocol != NDPI_PROTOCOL_UNKNOWN;
#endif
}

// L4 protocol number of an IPv4/IPv6 packet (after IPv6 extension headers), 0 if unknown.
uint8_t L4Protocol(const uint8_t* ip, uint32_t len) {
  if (len < 1) return 0;
  const uint8_t version = ip[0] >> 4;
  if (version == 4) return len >= 20 ? ip[9] : 0;
  if (version != 6 || len < 40) return 0;
  uint8_t next = ip[6];
  uint32_t off = 40;
  for (int i = 0; i < 8; i++) {
    switch (next) {
      case 0:   // hop-by-hop
      case 43:  // routing
      case 60:  // destination options
        if (off + 2 > len) return 0;
        next = ip[off];
        off += (static_cast<uint32_t>(ip[off + 1]) + 1) * 8;
        break;
      case 44:  // fragment
        if (off + 8 > len) return 0;
        next = ip[off];
        off += 8;
        break;
      default:
        return next;
    }
  }
  return next;
}

class NdpiClassifier : public Napi::ObjectWrap<NdpiClassifier> {
 public:
  static Napi::Object Init(Napi::Env env, Napi::Object exports) {
    Napi::Function ctor = DefineClass(
        env, "NdpiClassifier",
        {
            InstanceMethod<&NdpiClassifier::Feed>("feed"),
            InstanceMethod<&NdpiClassifier::Finish>("finish"),
            InstanceMethod<&NdpiClassifier::Release>("release"),
            InstanceMethod<&NdpiClassifier::ProtocolName>("protocolName"),
            InstanceMethod<&NdpiClassifier::CategoryName>("categoryName"),
            InstanceMethod<&NdpiClassifier::Close>("close"),
            InstanceAccessor<&NdpiClassifier::Results>("results"),
            InstanceAccessor<&NdpiClassifier::ProtocolCount>("protocolCount"),
            InstanceAccessor<&NdpiClassifier::CategoryCount>("categoryCount"),
        });
    exports.Set("NdpiClassifier", ctor);
    exports.Set("ndpiVersion", Napi::String::New(env, ndpi_revision()));
    exports.Set("ndpiApiVersion", Napi::Number::New(env, ndpi_get_api_version()));
    exports.Set("maxTcpPackets", Napi::Number::New(env, kMaxTcpPackets));
    exports.Set("maxUdpPackets", Napi::Number::New(env, kMaxUdpPackets));
    return exports;
  }

  explicit NdpiClassifier(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NdpiClassifier>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsNumber()) {
      Napi::TypeError::New(env, "NdpiClassifier(maxFlows): maxFlows must be a number").ThrowAsJavaScriptException();
      return;
    }
    const double requested = info[0].As<Napi::Number>().DoubleValue();
    if (!(requested >= 1 && requested <= kMaxSlots) || requested != static_cast<double>(static_cast<uint32_t>(requested))) {
      Napi::RangeError::New(env, "NdpiClassifier(maxFlows): maxFlows must be an integer in [1, 16777216]")
          .ThrowAsJavaScriptException();
      return;
    }
    capacity_ = static_cast<uint32_t>(requested);

#if PF_NDPI_VERSION >= 410
    ndpi_ = ndpi_init_detection_module(nullptr);
#else
    ndpi_ = ndpi_init_detection_module(ndpi_no_prefs);
#endif
    if (ndpi_ == nullptr) {
      Napi::Error::New(env, "ndpi_init_detection_module failed").ThrowAsJavaScriptException();
      return;
    }
#if defined(NDPI_PROTOCOL_BITMASK)
    NDPI_PROTOCOL_BITMASK all;
    NDPI_BITMASK_SET_ALL(all);
    ndpi_set_protocol_detection_bitmask2(ndpi_, &all);
#endif
    ndpi_finalize_initialization(ndpi_);

    protocolCount_ = ndpi_get_num_supported_protocols(ndpi_);
    slots_.assign(capacity_, Slot{nullptr, 0, kEmpty});
    Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(env, static_cast<size_t>(capacity_) * 2 * sizeof(uint16_t));
    std::memset(ab.Data(), 0, ab.ByteLength());
    results_ = static_cast<uint16_t*>(ab.Data());
    resultsRef_ = Napi::Persistent(Napi::Uint16Array::New(env, static_cast<size_t>(capacity_) * 2, ab, 0));
  }

  ~NdpiClassifier() override { FreeAll(); }

 private:
  ndpi_detection_module_struct* ndpi_ = nullptr;
  uint32_t capacity_ = 0;
  uint32_t protocolCount_ = 0;
  std::vector<Slot> slots_;
  uint16_t* results_ = nullptr;  // [protocol, category] per slot, backed by resultsRef_
  Napi::Reference<Napi::Uint16Array> resultsRef_;

  void FreeAll() {
    for (Slot& s : slots_) {
      if (s.flow != nullptr) {
        ndpi_free_flow(s.flow);
        s.flow = nullptr;
      }
    }
    slots_.clear();
    slots_.shrink_to_fit();
    if (ndpi_ != nullptr) {
      ndpi_exit_detection_module(ndpi_);
      ndpi_ = nullptr;
    }
    results_ = nullptr;
  }

  bool CheckOpen(Napi::Env env) {
    if (ndpi_ != nullptr) return true;
    Napi::Error::New(env, "NdpiClassifier is closed").ThrowAsJavaScriptException();
    return false;
  }

  // Reads and bounds-checks the slot argument; throws and returns capacity_ when invalid.
  uint32_t SlotArg(const Napi::CallbackInfo& info) {
    if (!CheckOpen(info.Env())) return capacity_;
    uint32_t slot = capacity_;
    if (info.Length() >= 1 && info[0].IsNumber()) slot = info[0].As<Napi::Number>().Uint32Value();
    if (slot >= capacity_) {
      Napi::RangeError::New(info.Env(), "flow slot out of range").ThrowAsJavaScriptException();
      return capacity_;
    }
    return slot;
  }

  void Store(uint32_t slot, const ndpi_protocol& p) {
    results_[slot * 2] = AppOrMaster(p);
    results_[slot * 2 + 1] = static_cast<uint16_t>(p.category);
  }

  ndpi_protocol GiveUp(ndpi_flow_struct* flow) {
    uint8_t guessed = 0;
#if PF_NDPI_VERSION >= 410
    return ndpi_detection_giveup(ndpi_, flow, &guessed);
#else
    return ndpi_detection_giveup(ndpi_, flow, 1 /* enable_guess, as ndpiReader without -d */, &guessed);
#endif
  }

  void MakeFinal(uint32_t slot, const ndpi_protocol& p) {
    Slot& s = slots_[slot];
    Store(slot, p);
    s.state = kFinal;
    if (s.flow != nullptr) {  // ndpiReader frees the nDPI flow once detection is completed
      ndpi_free_flow(s.flow);
      s.flow = nullptr;
    }
  }

  // feed(slot, buf, ipOffset, ipLength, tsMillis, fromInitiator) -> boolean (result final)
  Napi::Value Feed(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const uint32_t slot = SlotArg(info);
    if (slot == capacity_) return env.Undefined();
    Slot& s = slots_[slot];
    if (s.state == kFinal) return Napi::Boolean::New(env, true);

    if (info.Length() < 5 || !info[1].IsBuffer()) {
      Napi::TypeError::New(env, "feed(slot, buf, ipOffset, ipLength, tsMillis, fromInitiator)")
          .ThrowAsJavaScriptException();
      return env.Undefined();
    }
    Napi::Buffer<uint8_t> buf = info[1].As<Napi::Buffer<uint8_t>>();
    const uint32_t offset = info[2].As<Napi::Number>().Uint32Value();
    uint32_t length = info[3].As<Napi::Number>().Uint32Value();
    const double ts = info[4].As<Napi::Number>().DoubleValue();
    if (static_cast<uint64_t>(offset) + length > buf.Length()) {
      Napi::RangeError::New(env, "ipOffset + ipLength beyond the buffer").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    if (length > 0xFFFF) length = 0xFFFF;  // nDPI takes an unsigned short
    const uint8_t* ip = buf.Data() + offset;
    const uint64_t tsMillis = ts > 0 ? static_cast<uint64_t>(ts) : 0;

    if (s.flow == nullptr) {
      s.flow = static_cast<ndpi_flow_struct*>(ndpi_flow_malloc(SIZEOF_FLOW_STRUCT));
      if (s.flow == nullptr) {
        Napi::Error::New(env, "out of memory allocating an nDPI flow").ThrowAsJavaScriptException();
        return env.Undefined();
      }
      std::memset(s.flow, 0, SIZEOF_FLOW_STRUCT);
      s.packets = 0;
      s.state = kDetecting;
    }
    s.packets++;
    const uint8_t l4 = L4Protocol(ip, length);
    bool enough = (l4 == IPPROTO_TCP && s.packets > kMaxTcpPackets) || (l4 == IPPROTO_UDP && s.packets > kMaxUdpPackets);

#if PF_NDPI_VERSION >= 406
    struct ndpi_flow_input_info input;
    std::memset(&input, 0, sizeof(input));
    input.in_pkt_dir = NDPI_IN_PKT_DIR_UNKNOWN;
    input.seen_flow_beginning = NDPI_FLOW_BEGINNING_UNKNOWN;
    ndpi_protocol p = ndpi_detection_process_packet(ndpi_, s.flow, ip, static_cast<unsigned short>(length), tsMillis, &input);
#else
    ndpi_protocol p = ndpi_detection_process_packet(ndpi_, s.flow, ip, static_cast<unsigned short>(length), tsMillis);
#endif
#if PF_NDPI_VERSION < 500
    if (s.flow->fail_with_unknown) enough = true;
#endif

    if (enough || AppKnown(p)) {
      if (!enough && ndpi_extra_dissection_possible(ndpi_, s.flow)) {
        Store(slot, p);  // detected, waiting for more (e.g. the TLS certificate)
        return Napi::Boolean::New(env, false);
      }
      if (!AppKnown(p)) p = GiveUp(s.flow);
      MakeFinal(slot, p);
      return Napi::Boolean::New(env, true);
    }
    Store(slot, p);
    return Napi::Boolean::New(env, false);
  }

  Napi::Value Finish(const Napi::CallbackInfo& info) {
    const uint32_t slot = SlotArg(info);
    if (slot == capacity_) return info.Env().Undefined();
    Slot& s = slots_[slot];
    if (s.state == kDetecting && s.flow != nullptr) MakeFinal(slot, GiveUp(s.flow));
    return info.Env().Undefined();
  }

  Napi::Value Release(const Napi::CallbackInfo& info) {
    const uint32_t slot = SlotArg(info);
    if (slot == capacity_) return info.Env().Undefined();
    Slot& s = slots_[slot];
    if (s.flow != nullptr) {
      ndpi_free_flow(s.flow);
      s.flow = nullptr;
    }
    s.packets = 0;
    s.state = kEmpty;
    results_[slot * 2] = 0;
    results_[slot * 2 + 1] = 0;
    return info.Env().Undefined();
  }

  Napi::Value ProtocolName(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!CheckOpen(env)) return env.Undefined();
    const uint32_t id = info.Length() >= 1 && info[0].IsNumber() ? info[0].As<Napi::Number>().Uint32Value() : 0;
    const char* name = ndpi_get_proto_name(ndpi_, static_cast<u_int16_t>(id > 0xFFFF ? 0 : id));
    return Napi::String::New(env, name != nullptr ? name : "Unknown");
  }

  Napi::Value CategoryName(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!CheckOpen(env)) return env.Undefined();
    uint32_t id = info.Length() >= 1 && info[0].IsNumber() ? info[0].As<Napi::Number>().Uint32Value() : 0;
    if (id >= NDPI_PROTOCOL_NUM_CATEGORIES) id = NDPI_PROTOCOL_CATEGORY_UNSPECIFIED;
    const char* name = ndpi_category_get_name(ndpi_, static_cast<ndpi_protocol_category_t>(id));
    return Napi::String::New(env, name != nullptr ? name : "Unspecified");
  }

  Napi::Value Results(const Napi::CallbackInfo& info) {
    if (resultsRef_.IsEmpty()) return info.Env().Undefined();
    return resultsRef_.Value();
  }

  Napi::Value ProtocolCount(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), protocolCount_); }

  Napi::Value CategoryCount(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), NDPI_PROTOCOL_NUM_CATEGORIES);
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    FreeAll();
    return info.Env().Undefined();
  }
};

Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return NdpiClassifier::Init(env, exports); }

}  // namespace

NODE_API_MODULE(packetflux_ndpi, InitModule)
