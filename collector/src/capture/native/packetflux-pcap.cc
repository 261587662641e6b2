// Live capture for PacketFlux: one libpcap handle per instance, drained in batches.
//
// Why native: the JS side needs one call per batch, not one per packet, plus what npm `cap`
// never exposed: the kernel's timestamps (nanosecond precision), each packet's wire length,
// and pcap_stats drops. `next(timeoutMs)` waits on the capture fd with poll(2), then copies
// up to a batch of packets into a Buffer owned by JS and writes one header row per packet
// into a Float64Array: [timestampUs, capLen, wireLen, offset]. Both arrays are reused for
// every batch, so the hot path allocates nothing. It blocks: call it from a worker thread.
//
// Linux uses TPACKET_V3: the kernel fills blocks of a ring and hands a block over when it is
// full or after the block timeout, so immediate mode stays off and a burst waits in the ring
// (--capture-buffer) instead of being dropped.
//
// `fanout(group)` joins a PACKET_FANOUT group with the kernel's flow hash, which is
// symmetric, so both directions of a flow reach the same socket (libpcap has no call for it).

#include <napi.h>
#include <pcap/pcap.h>
#include <poll.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <string>

#ifdef __linux__
#include <linux/if_packet.h>
#include <sys/socket.h>
#endif

namespace {

constexpr int kHeaderFields = 4;

class PcapSource : public Napi::ObjectWrap<PcapSource> {
 public:
  static Napi::Object Init(Napi::Env env, Napi::Object exports) {
    Napi::Function ctor = DefineClass(
        env, "PcapSource",
        {
            InstanceMethod<&PcapSource::Next>("next"),
            InstanceMethod<&PcapSource::Stats>("stats"),
            InstanceMethod<&PcapSource::Fanout>("fanout"),
            InstanceMethod<&PcapSource::Close>("close"),
            InstanceAccessor<&PcapSource::LinkType>("linkType"),
        });
    exports.Set("PcapSource", ctor);
    exports.Set("libpcapVersion", Napi::String::New(env, pcap_lib_version()));
    return exports;
  }

  // new PcapSource(device, { snaplen, bufferBytes, timeoutMs, bpf }, data: Buffer, headers: Float64Array)
  explicit PcapSource(const Napi::CallbackInfo& info) : Napi::ObjectWrap<PcapSource>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 4 || !info[0].IsString() || !info[1].IsObject() || !info[2].IsBuffer() ||
        !info[3].IsTypedArray()) {
      Napi::TypeError::New(env, "PcapSource(device, options, data: Buffer, headers: Float64Array)")
          .ThrowAsJavaScriptException();
      return;
    }
    const std::string device = info[0].As<Napi::String>();
    Napi::Object opts = info[1].As<Napi::Object>();
    const int snaplen = opts.Get("snaplen").As<Napi::Number>().Int32Value();
    const int bufferBytes = opts.Get("bufferBytes").As<Napi::Number>().Int32Value();
    const int timeoutMs = opts.Get("timeoutMs").As<Napi::Number>().Int32Value();
    const std::string bpf = opts.Get("bpf").As<Napi::String>();

    Napi::Buffer<uint8_t> data = info[2].As<Napi::Buffer<uint8_t>>();
    Napi::TypedArray headers = info[3].As<Napi::TypedArray>();
    if (headers.TypedArrayType() != napi_float64_array) {
      Napi::TypeError::New(env, "headers must be a Float64Array").ThrowAsJavaScriptException();
      return;
    }
    // Keep both arrays alive while the handle may write into them.
    data_ref_ = Napi::Persistent(data.As<Napi::Object>());
    headers_ref_ = Napi::Persistent(headers.As<Napi::Object>());
    data_ = data.Data();
    data_size_ = data.Length();
    headers_ = headers.As<Napi::Float64Array>().Data();
    max_packets_ = headers.ElementLength() / kHeaderFields;
    snaplen_ = static_cast<size_t>(snaplen);
    if (snaplen_ > data_size_ || max_packets_ < 1) {
      Napi::RangeError::New(env, "the data buffer must hold at least one packet of snaplen bytes")
          .ThrowAsJavaScriptException();
      return;
    }

    char err[PCAP_ERRBUF_SIZE] = "";
    pcap_ = pcap_create(device.c_str(), err);
    if (pcap_ == nullptr) { Fail(env, err); return; }
    // Each setter fails only on an already active handle; activation reports real problems.
    pcap_set_snaplen(pcap_, snaplen);
    pcap_set_promisc(pcap_, 1);
    pcap_set_buffer_size(pcap_, bufferBytes);
    pcap_set_timeout(pcap_, timeoutMs);
    pcap_set_immediate_mode(pcap_, 0);
    pcap_set_tstamp_precision(pcap_, PCAP_TSTAMP_PRECISION_NANO);
    const int status = pcap_activate(pcap_);
    if (status < 0) {
      std::string msg = pcap_statustostr(status);
      const char* detail = pcap_geterr(pcap_);
      if (detail != nullptr && detail[0] != '\0' && msg != detail) msg += std::string(": ") + detail;
      if (status == PCAP_ERROR_PERM_DENIED)
        msg += " (capturing needs root, or CAP_NET_RAW and CAP_NET_ADMIN)";
      { Fail(env, msg); return; }
    }
    nanos_ = pcap_get_tstamp_precision(pcap_) == PCAP_TSTAMP_PRECISION_NANO;
    if (!bpf.empty()) {
      bpf_program program;
      if (pcap_compile(pcap_, &program, bpf.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0)
        { Fail(env, std::string("--bpf: ") + pcap_geterr(pcap_)); return; }
      const int set = pcap_setfilter(pcap_, &program);
      pcap_freecode(&program);
      if (set != 0) { Fail(env, std::string("--bpf: ") + pcap_geterr(pcap_)); return; }
    }
    if (pcap_setnonblock(pcap_, 1, err) != 0) { Fail(env, err); return; }
    fd_ = pcap_get_selectable_fd(pcap_);
    if (fd_ < 0) { Fail(env, "this device has no selectable file descriptor"); return; }
  }

  ~PcapSource() override { CloseHandle(); }

 private:
  void Fail(Napi::Env env, const std::string& message) {
    CloseHandle();
    Napi::Error::New(env, message).ThrowAsJavaScriptException();
  }

  void CloseHandle() {
    if (pcap_ != nullptr) pcap_close(pcap_);
    pcap_ = nullptr;
    fd_ = -1;
  }

  static void OnPacket(u_char* user, const pcap_pkthdr* h, const u_char* bytes) {
    auto* self = reinterpret_cast<PcapSource*>(user);
    double* row = self->headers_ + static_cast<size_t>(self->count_) * kHeaderFields;
    const double frac = self->nanos_ ? std::floor(h->ts.tv_usec / 1000.0) : h->ts.tv_usec;
    row[0] = static_cast<double>(h->ts.tv_sec) * 1e6 + frac;
    row[1] = h->caplen;
    row[2] = h->len < h->caplen ? h->caplen : h->len;
    row[3] = static_cast<double>(self->used_);
    std::memcpy(self->data_ + self->used_, bytes, h->caplen);
    // Packets stay 8-byte aligned in the buffer; decoders read them at any offset anyway.
    self->used_ += (h->caplen + 7u) & ~static_cast<size_t>(7);
    self->count_++;
    // Stop before a packet could overflow either array; the rest stays in the ring.
    if (self->count_ == self->max_packets_ || self->data_size_ - self->used_ < self->snaplen_)
      pcap_breakloop(self->pcap_);
  }

  int Dispatch() {
    const int r = pcap_dispatch(pcap_, -1, &PcapSource::OnPacket, reinterpret_cast<u_char*>(this));
    return r == PCAP_ERROR_BREAK ? 0 : r;
  }

  // next(timeoutMs): packets in the batch; 0 when none came within the timeout (0: do not wait),
  // so a 0 after a full batch means the ring is empty.
  Napi::Value Next(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (pcap_ == nullptr) {
      Napi::Error::New(env, "capture is closed").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    const int timeoutMs = info.Length() > 0 ? info[0].As<Napi::Number>().Int32Value() : 0;
    count_ = 0;
    used_ = 0;
    if (Dispatch() < 0) return DispatchError(env);
    if (count_ == 0 && timeoutMs > 0) {
      pollfd p{fd_, POLLIN, 0};
      const int ready = poll(&p, 1, timeoutMs);
      if (ready < 0 && errno != EINTR) {
        Napi::Error::New(env, std::string("poll: ") + std::strerror(errno)).ThrowAsJavaScriptException();
        return env.Undefined();
      }
      if (ready > 0 && Dispatch() < 0) return DispatchError(env);
    }
    return Napi::Number::New(env, count_);
  }

  Napi::Value DispatchError(Napi::Env env) {
    Napi::Error::New(env, pcap_geterr(pcap_)).ThrowAsJavaScriptException();
    return env.Undefined();
  }

  Napi::Value LinkType(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), pcap_ == nullptr ? -1 : pcap_datalink(pcap_));
  }

  // stats(): pcap_stats' counters since the handle opened. They are 32-bit and wrap: take
  // differences modulo 2^32.
  Napi::Value Stats(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    pcap_stat s{};
    if (pcap_ == nullptr || pcap_stats(pcap_, &s) != 0) {
      Napi::Error::New(env, pcap_ == nullptr ? "capture is closed" : pcap_geterr(pcap_))
          .ThrowAsJavaScriptException();
      return env.Undefined();
    }
    Napi::Object out = Napi::Object::New(env);
    out.Set("received", Napi::Number::New(env, s.ps_recv));
    out.Set("dropped", Napi::Number::New(env, s.ps_drop));
    out.Set("ifDropped", Napi::Number::New(env, s.ps_ifdrop));
    return out;
  }

  // fanout(groupId): joins PACKET_FANOUT group `groupId` (0..65535) with the flow hash.
  Napi::Value Fanout(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
#ifdef PACKET_FANOUT
    const uint32_t group = info[0].As<Napi::Number>().Uint32Value() & 0xffff;
    const int arg = static_cast<int>(group | (PACKET_FANOUT_HASH << 16));
    if (pcap_ == nullptr || setsockopt(pcap_fileno(pcap_), SOL_PACKET, PACKET_FANOUT, &arg, sizeof arg) != 0) {
      Napi::Error::New(env, std::string("PACKET_FANOUT: ") + std::strerror(errno)).ThrowAsJavaScriptException();
    }
#else
    Napi::Error::New(env, "--workers above 1 needs Linux (PACKET_FANOUT)").ThrowAsJavaScriptException();
#endif
    return env.Undefined();
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    CloseHandle();
    return info.Env().Undefined();
  }

  pcap_t* pcap_ = nullptr;
  int fd_ = -1;
  bool nanos_ = false;
  Napi::ObjectReference data_ref_;
  Napi::ObjectReference headers_ref_;
  uint8_t* data_ = nullptr;
  size_t data_size_ = 0;
  double* headers_ = nullptr;
  int max_packets_ = 0;
  size_t snaplen_ = 0;
  // The batch being filled.
  int count_ = 0;
  size_t used_ = 0;
};

Napi::Object Init(Napi::Env env, Napi::Object exports) { return PcapSource::Init(env, exports); }

}  // namespace

NODE_API_MODULE(packetflux_pcap, Init)
