// The N-API edge: thin wrappers that turn JavaScript values into engine calls and back. Everything that does
// work lives in native/src/engine/ (which never includes napi.h). Errors carry a string `code` property.
#include <napi.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "engine/crc32c.h"
#include "engine/layout.h"
#include "engine/sequencer.h"

namespace lacrimosa {
namespace {

Napi::Error coded_error(Napi::Env env, const std::string& code, const std::string& message) {
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, code));
  return error;
}

void throw_coded(Napi::Env env, const std::string& code, const std::string& message) {
  coded_error(env, code, message).ThrowAsJavaScriptException();
}

void throw_journal_error(Napi::Env env, const JournalError& error) {
  throw_coded(env, journal_error_code_name(error.code), error.message);
}

// Reads an optional non-negative integer option; false (with a TypeError thrown) when present but invalid.
bool optional_uint(const Napi::Object& options, const char* name, std::uint64_t& out) {
  Napi::Value v = options.Get(name);
  if (v.IsUndefined() || v.IsNull()) return true;
  if (!v.IsNumber()) {
    Napi::TypeError::New(options.Env(), std::string(name) + " must be a number").ThrowAsJavaScriptException();
    return false;
  }
  const double d = v.As<Napi::Number>().DoubleValue();
  if (d < 0 || d != static_cast<double>(static_cast<std::uint64_t>(d))) {
    Napi::TypeError::New(options.Env(), std::string(name) + " must be a non-negative integer")
        .ThrowAsJavaScriptException();
    return false;
  }
  out = static_cast<std::uint64_t>(d);
  return true;
}

std::uint64_t bigint_or_number(const Napi::Value& v) {
  if (v.IsBigInt()) {
    bool lossless = false;
    return v.As<Napi::BigInt>().Uint64Value(&lossless);
  }
  if (v.IsNumber()) return static_cast<std::uint64_t>(v.As<Napi::Number>().DoubleValue());
  return 0;
}

// ── Sequencer ─────────────────────────────────────────────────────────────────────────────────────

struct CommandContext {
  Napi::Promise::Deferred deferred;
  Napi::Reference<Napi::Array> events;  // keeps every payload buffer alive until the command completes
};

const char* status_name(SubmitStatus s) {
  switch (s) {
    case SubmitStatus::Journaled: return "journaled";
    case SubmitStatus::Dropped: return "dropped";
    case SubmitStatus::TooLarge: return "too_large";
    case SubmitStatus::ShuttingDown: return "shutting_down";
  }
  return "unknown";
}

class SequencerWrap : public Napi::ObjectWrap<SequencerWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Sequencer",
                       {
                           InstanceMethod<&SequencerWrap::Start>("start"),
                           InstanceMethod<&SequencerWrap::Stop>("stop"),
                           InstanceMethod<&SequencerWrap::Close>("close"),
                           InstanceMethod<&SequencerWrap::Submit>("submit"),
                           InstanceMethod<&SequencerWrap::RegisterStream>("registerStream"),
                           InstanceMethod<&SequencerWrap::Info>("info"),
                       });
  }

  explicit SequencerWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<SequencerWrap>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsObject()) {
      Napi::TypeError::New(env, "new Sequencer(options) needs an options object").ThrowAsJavaScriptException();
      return;
    }
    Napi::Object o = info[0].As<Napi::Object>();
    SequencerConfig config;
    if (!o.Get("journal").IsString()) {
      Napi::TypeError::New(env, "journal must be a path string").ThrowAsJavaScriptException();
      return;
    }
    config.journal.path = o.Get("journal").As<Napi::String>().Utf8Value();
    std::uint64_t max_payload = 0, drift = 60000, rcvbuf = 4 << 20, queue = 1024;
    if (!optional_uint(o, "slots", config.journal.slot_count) ||
        !optional_uint(o, "blobSize", config.journal.blob_size) || !optional_uint(o, "maxPayload", max_payload) ||
        !optional_uint(o, "maxClockDriftMs", drift) || !optional_uint(o, "receiveBufferBytes", rcvbuf) ||
        !optional_uint(o, "submitQueueCapacity", queue)) {
      return;
    }
    config.journal.max_payload = static_cast<std::uint32_t>(std::min<std::uint64_t>(max_payload, 0xffffffffu));
    config.journal.max_clock_drift_ms = drift;
    config.receive_buffer_bytes = static_cast<int>(std::min<std::uint64_t>(rcvbuf, 1u << 30));
    config.submit_queue_capacity = queue == 0 ? 1 : queue;
    const std::string fsync = o.Get("fsync").IsString() ? o.Get("fsync").As<Napi::String>().Utf8Value() : "none";
    if (fsync == "none") config.journal.fsync = layout::FsyncMode::None;
    else if (fsync == "interval") config.journal.fsync = layout::FsyncMode::Interval;
    else if (fsync == "always") config.journal.fsync = layout::FsyncMode::Always;
    else {
      Napi::TypeError::New(env, "fsync must be none, interval or always").ThrowAsJavaScriptException();
      return;
    }
    const std::string backend = o.Get("backend").IsString() ? o.Get("backend").As<Napi::String>().Utf8Value() : "auto";
    if (!parse_backend(backend, config.backend)) {
      Napi::TypeError::New(env, "backend must be auto, uring or recvmmsg").ThrowAsJavaScriptException();
      return;
    }
    Napi::Value listens = o.Get("listens");
    if (listens.IsArray()) {
      Napi::Array a = listens.As<Napi::Array>();
      for (std::uint32_t i = 0; i < a.Length(); i++) {
        Napi::Value item = a.Get(i);
        if (!item.IsObject()) continue;
        Napi::Object l = item.As<Napi::Object>();
        ListenConfig listen;
        if (l.Get("host").IsString()) listen.host = l.Get("host").As<Napi::String>().Utf8Value();
        std::uint64_t port = 0;
        if (!optional_uint(l, "port", port)) return;
        if (port > 65535) {
          Napi::TypeError::New(env, "port must be in [0, 65535]").ThrowAsJavaScriptException();
          return;
        }
        listen.port = static_cast<std::uint16_t>(port);
        if (l.Get("stream").IsString()) listen.stream_name = l.Get("stream").As<Napi::String>().Utf8Value();
        config.listens.push_back(listen);
      }
    }
    JournalError error;
    engine_ = SequencerEngine::create(config, report_, error);
    if (!engine_) throw_journal_error(env, error);
  }

  ~SequencerWrap() override {
    if (!engine_) return;
    alive_->store(false);
    engine_->stop();
    engine_->close();
    if (started_) tsfn_.Release();
  }

 private:
  bool usable(Napi::Env env) {
    if (engine_ && !closed_) return true;
    throw_coded(env, "SEQUENCER_CLOSED", "the sequencer is closed");
    return false;
  }

  Napi::Value Start(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!usable(env)) return env.Undefined();
    if (info.Length() < 1 || !info[0].IsFunction()) {
      Napi::TypeError::New(env, "start(onPublication) needs a callback").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    if (started_) return env.Undefined();
    tsfn_ = Napi::ThreadSafeFunction::New(env, info[0].As<Napi::Function>(), "lacrimosa-publication", 0, 1);
    started_ = true;
    // Calls queued before stop() may still run after this object is gone: they hold the engine and a
    // liveness flag, never `this`. The engine's own callback holds only a weak reference (no cycle).
    std::weak_ptr<SequencerEngine> weak = engine_;
    std::shared_ptr<std::atomic<bool>> alive = alive_;
    Napi::ThreadSafeFunction tsfn = tsfn_;
    engine_->start([weak, alive, tsfn]() mutable {
      tsfn.NonBlockingCall([engine = weak.lock(), alive](Napi::Env env, Napi::Function callback) {
        if (!engine) return;
        engine->acknowledge_notification();
        deliver_completions(env, *engine);
        if (alive->load()) callback.Call({});
      });
    });
    return env.Undefined();
  }

  static void deliver_completions(Napi::Env env, SequencerEngine& engine) {
    std::vector<std::unique_ptr<SubmitCommand>> done;
    engine.take_completions(done);
    for (auto& command : done) {
      std::unique_ptr<CommandContext> context(static_cast<CommandContext*>(command->context));
      const std::size_t n = command->events.size();
      Napi::Array sequences = Napi::Array::New(env, n);
      Napi::Array statuses = Napi::Array::New(env, n);
      for (std::size_t i = 0; i < n; i++) {
        const bool ok = command->statuses[i] == SubmitStatus::Journaled;
        sequences.Set(i, ok ? Napi::Number::New(env, static_cast<double>(command->sequences[i])) : env.Null());
        statuses.Set(i, Napi::String::New(env, status_name(command->statuses[i])));
      }
      Napi::Object result = Napi::Object::New(env);
      result.Set("sequences", sequences);
      result.Set("statuses", statuses);
      context->deferred.Resolve(result);
    }
  }

  Napi::Value Stop(const Napi::CallbackInfo& info) {
    stop(info.Env());
    return info.Env().Undefined();
  }

  void stop(Napi::Env env) {
    if (!engine_ || !started_) return;
    engine_->stop();
    deliver_completions(env, *engine_);
    alive_->store(false);
    tsfn_.Release();
    started_ = false;
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!engine_ || closed_) return env.Undefined();
    stop(env);
    engine_->close();
    closed_ = true;
    return env.Undefined();
  }

  Napi::Value Submit(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!usable(env)) return env.Undefined();
    if (info.Length() < 1 || !info[0].IsArray()) {
      Napi::TypeError::New(env, "submit(events) needs an array").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    Napi::Array events = info[0].As<Napi::Array>();
    auto command = std::make_unique<SubmitCommand>();
    command->events.reserve(events.Length());
    for (std::uint32_t i = 0; i < events.Length(); i++) {
      Napi::Value item = events.Get(i);
      if (!item.IsObject()) {
        Napi::TypeError::New(env, "events[" + std::to_string(i) + "] must be an object").ThrowAsJavaScriptException();
        return env.Undefined();
      }
      Napi::Object e = item.As<Napi::Object>();
      Napi::Value payload = e.Get("payload");
      if (!payload.IsTypedArray() || payload.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
        Napi::TypeError::New(env, "events[" + std::to_string(i) + "].payload must be a Uint8Array")
            .ThrowAsJavaScriptException();
        return env.Undefined();
      }
      Napi::Uint8Array bytes = payload.As<Napi::Uint8Array>();
      SubmitEvent event{};
      event.stream_id = static_cast<std::uint16_t>(e.Get("streamId").ToNumber().Uint32Value());
      event.node_id = e.Get("nodeId").ToNumber().Uint32Value();
      event.flags = static_cast<std::uint16_t>(e.Get("flags").ToNumber().Uint32Value() & 0xff);
      event.clock_hint = bigint_or_number(e.Get("clockHint"));
      event.payload = bytes.Data();
      event.length = static_cast<std::uint32_t>(std::min<std::size_t>(bytes.ByteLength(), 0xffffffffu));
      command->events.push_back(event);
    }
    auto* context = new CommandContext{Napi::Promise::Deferred::New(env), Napi::Persistent(events)};
    Napi::Promise promise = context->deferred.Promise();
    command->context = context;
    if (!started_) {
      delete context;
      throw_coded(env, "SEQUENCER_STOPPED", "the sequencer is not running");
      return env.Undefined();
    }
    const auto result = engine_->submit(command);
    if (result != SequencerEngine::SubmitResult::Queued) {
      context->deferred.Reject(
          result == SequencerEngine::SubmitResult::QueueFull
              ? coded_error(env, "SUBMIT_QUEUE_FULL", "the sequencer's submit queue is full; retry later").Value()
              : coded_error(env, "SEQUENCER_STOPPED", "the sequencer is shutting down").Value());
      delete context;
    }
    return promise;
  }

  Napi::Value RegisterStream(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!usable(env)) return env.Undefined();
    if (info.Length() < 1 || !info[0].IsString()) {
      Napi::TypeError::New(env, "registerStream(name) needs a string").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    JournalError error;
    const int id = engine_->journal().register_stream(info[0].As<Napi::String>().Utf8Value(), error);
    if (id < 0) {
      throw_journal_error(env, error);
      return env.Undefined();
    }
    return Napi::Number::New(env, id);
  }

  Napi::Value Info(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!usable(env)) return env.Undefined();
    Napi::Object o = Napi::Object::New(env);
    o.Set("backend", engine_->backend_name());
    o.Set("backendFallbackReason", engine_->backend_fallback_reason());
    o.Set("crc32cHardware", crc32c_uses_hardware());
    Napi::Array listeners = Napi::Array::New(env, engine_->listeners().size());
    for (std::size_t i = 0; i < engine_->listeners().size(); i++) {
      const Listener& l = engine_->listeners()[i];
      Napi::Object item = Napi::Object::New(env);
      item.Set("host", l.host);
      item.Set("port", l.port);
      item.Set("streamId", l.stream_id);
      item.Set("ipv6", l.ipv6);
      listeners.Set(i, item);
    }
    o.Set("listeners", listeners);
    JournalWriter& j = engine_->journal();
    Napi::Object journal = Napi::Object::New(env);
    journal.Set("path", j.path());
    journal.Set("slotCount", static_cast<double>(j.geometry().slot_count));
    journal.Set("blobSize", static_cast<double>(j.geometry().blob_size));
    journal.Set("fileSize", static_cast<double>(j.geometry().file_size));
    journal.Set("maxPayload", j.max_payload());
    o.Set("journal", journal);
    Napi::Object opened = Napi::Object::New(env);
    opened.Set("created", report_.created);
    opened.Set("recovered", report_.recovered);
    opened.Set("truncated", static_cast<double>(report_.truncated));
    o.Set("open", opened);
    return o;
  }

  std::shared_ptr<SequencerEngine> engine_;
  std::shared_ptr<std::atomic<bool>> alive_ = std::make_shared<std::atomic<bool>>(true);
  OpenReport report_;
  Napi::ThreadSafeFunction tsfn_;
  bool started_ = false;
  bool closed_ = false;
};

// ── JournalMapping: a reader's mapping of journal.db ──────────────────────────────────────────────

struct Mapping {
  std::uint8_t* base = nullptr;
  std::size_t size = 0;
  std::uint8_t* writable_header = nullptr;  // a separate read-write mapping of the header, for cursors
  std::atomic<int> references{0};
  // Called by close() once every buffer over the mapping is detached, and by the last finalizer otherwise.
  void unmap() {
    if (base != nullptr) munmap(base, size);
    if (writable_header != nullptr) munmap(writable_header, layout::kHeaderSize);
    base = nullptr;
    writable_header = nullptr;
  }
  ~Mapping() { unmap(); }
};

void release_mapping(Napi::Env, void*, Mapping* mapping) {
  if (mapping->references.fetch_sub(1) == 1) delete mapping;
}

class JournalMappingWrap : public Napi::ObjectWrap<JournalMappingWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "JournalMapping",
                       {
                           InstanceMethod<&JournalMappingWrap::Publication>("publication"),
                           InstanceMethod<&JournalMappingWrap::LoadTail>("loadTail"),
                           InstanceMethod<&JournalMappingWrap::LoadHead>("loadHead"),
                           InstanceMethod<&JournalMappingWrap::ClaimCursor>("claimCursor"),
                           InstanceMethod<&JournalMappingWrap::UpdateCursor>("updateCursor"),
                           InstanceMethod<&JournalMappingWrap::ReleaseCursor>("releaseCursor"),
                           InstanceMethod<&JournalMappingWrap::Close>("close"),
                       });
  }

  explicit JournalMappingWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<JournalMappingWrap>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsString()) {
      Napi::TypeError::New(env, "new JournalMapping(path, options?) needs a path").ThrowAsJavaScriptException();
      return;
    }
    const std::string path = info[0].As<Napi::String>().Utf8Value();
    const bool cursors = info.Length() > 1 && info[1].IsObject() &&
                         info[1].As<Napi::Object>().Get("cursors").ToBoolean().Value();
    const int fd = ::open(path.c_str(), (cursors ? O_RDWR : O_RDONLY) | O_CLOEXEC);
    if (fd < 0) {
      const int err = errno;
      throw_coded(env, err == ENOENT ? "JOURNAL_NOT_FOUND" : "JOURNAL_IO",
                  "cannot open " + path + ": " + std::strerror(err));
      return;
    }
    struct stat st {};
    layout::IdentityLine id{};
    const bool readable = fstat(fd, &st) == 0 && st.st_size >= static_cast<off_t>(layout::kHeaderSize) &&
                          pread(fd, &id, sizeof id, 0) == sizeof id;
    auto fail = [&](const char* code, const std::string& message) {
      ::close(fd);
      throw_coded(env, code, message);
    };
    if (!readable) { fail("CORRUPT_HEADER", path + " is too small to be a journal"); return; }
    if (id.magic != layout::kMagic) { fail("NOT_A_JOURNAL", path + " is not a lacrimosa journal (bad magic)"); return; }
    if (id.version != layout::kFormatVersion) {
      { fail("UNSUPPORTED_VERSION", path + " has journal format version " + std::to_string(id.version)); return; }
    }
    const auto g = layout::geometry_for(id.slot_count, id.blob_size);
    if (!layout::is_power_of_two(id.slot_count) || !layout::is_power_of_two(id.blob_size) ||
        id.slot_count < layout::kMinSlotCount || id.blob_size < layout::kMinBlobSize ||
        id.blob_offset != g.blob_offset || id.file_size != g.file_size ||
        static_cast<std::uint64_t>(st.st_size) < g.file_size) {
      { fail("CORRUPT_HEADER", path + " has an inconsistent geometry in its header"); return; }
    }
    auto* mapping = new Mapping();
    mapping->size = g.file_size;
    void* base = mmap(nullptr, g.file_size, PROT_READ, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) {
      delete mapping;
      { fail("JOURNAL_IO", "cannot map " + path + ": " + std::strerror(errno)); return; }
    }
    mapping->base = static_cast<std::uint8_t*>(base);
    if (cursors) {
      void* header = mmap(nullptr, layout::kHeaderSize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
      if (header == MAP_FAILED) {
        delete mapping;
        { fail("JOURNAL_IO", "cannot map the header of " + path + " for writing: " + std::strerror(errno)); return; }
      }
      mapping->writable_header = static_cast<std::uint8_t*>(header);
    }
    ::close(fd);
    mapping_ = mapping;
    mapping_->references = 4;  // this object and the three ArrayBuffers
    auto buffer = [&](std::uint64_t offset, std::uint64_t length) {
      return Napi::ArrayBuffer::New(env, mapping->base + offset, length, release_mapping, mapping);
    };
    Napi::Object self = info.This().As<Napi::Object>();
    // Weak: the buffers live as long as JavaScript uses them (they are properties of this object); close()
    // detaches whichever are still alive so that the mapping can go at once.
    header_ = Napi::Weak(buffer(0, layout::kHeaderSize));
    ring_ = Napi::Weak(buffer(g.ring_offset, g.slot_count * sizeof(layout::CausalEvent)));
    blob_ = Napi::Weak(buffer(g.blob_offset, g.blob_size));
    self.Set("header", header_.Value());
    self.Set("ring", ring_.Value());
    self.Set("blob", blob_.Value());
    self.Set("slotCount", static_cast<double>(g.slot_count));
    self.Set("blobSize", static_cast<double>(g.blob_size));
    self.Set("path", path);
  }

  ~JournalMappingWrap() override { drop(); }

 private:
  layout::JournalHeader& header() { return *reinterpret_cast<layout::JournalHeader*>(mapping_->base); }
  layout::JournalHeader& writable() { return *reinterpret_cast<layout::JournalHeader*>(mapping_->writable_header); }

  bool open(Napi::Env env) {
    if (mapping_ != nullptr) return true;
    throw_coded(env, "JOURNAL_CLOSED", "the journal mapping is closed");
    return false;
  }

  bool writable_open(Napi::Env env) {
    if (!open(env)) return false;
    if (mapping_->writable_header != nullptr) return true;
    throw_coded(env, "READ_ONLY", "open the journal with { cursors: true } to use consumer cursors");
    return false;
  }

  void drop() {
    if (mapping_ == nullptr) return;
    Mapping* m = mapping_;
    mapping_ = nullptr;
    release_mapping(Env(), nullptr, m);
  }

  // [head, tail, blobHead, blobTail, clockHi, clockLo, publishedMs]: head acquired first, as readers must.
  Napi::Value Publication(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!open(env)) return env.Undefined();
    layout::JournalHeader& h = header();
    const std::uint64_t head = std::atomic_ref<std::uint64_t>(h.publication.head).load(std::memory_order_acquire);
    const std::uint64_t blob_head = std::atomic_ref<std::uint64_t>(h.publication.blob_head).load(std::memory_order_relaxed);
    const std::uint64_t clock = std::atomic_ref<std::uint64_t>(h.publication.clock).load(std::memory_order_relaxed);
    const std::uint64_t published = std::atomic_ref<std::uint64_t>(h.publication.published_ms).load(std::memory_order_relaxed);
    const std::uint64_t tail = std::atomic_ref<std::uint64_t>(h.retention.tail).load(std::memory_order_acquire);
    const std::uint64_t blob_tail = std::atomic_ref<std::uint64_t>(h.retention.blob_tail).load(std::memory_order_relaxed);
    Napi::Float64Array out = Napi::Float64Array::New(env, 7);
    out[0] = static_cast<double>(head);
    out[1] = static_cast<double>(tail);
    out[2] = static_cast<double>(blob_head);
    out[3] = static_cast<double>(blob_tail);
    out[4] = static_cast<double>(clock >> 32);
    out[5] = static_cast<double>(clock & 0xffffffffu);
    out[6] = static_cast<double>(published);
    return out;
  }

  Napi::Value LoadTail(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!open(env)) return env.Undefined();
    std::atomic_thread_fence(std::memory_order_acquire);
    return Napi::Number::New(
        env, static_cast<double>(std::atomic_ref<std::uint64_t>(header().retention.tail).load(std::memory_order_acquire)));
  }

  Napi::Value LoadHead(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!open(env)) return env.Undefined();
    return Napi::Number::New(
        env, static_cast<double>(std::atomic_ref<std::uint64_t>(header().publication.head).load(std::memory_order_acquire)));
  }

  // claimCursor(name, position, leaseMs, nowMs) -> index, or -1 when all 16 are taken by live consumers.
  Napi::Value ClaimCursor(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!writable_open(env)) return env.Undefined();
    const std::string name = info[0].ToString().Utf8Value();
    const std::uint64_t position = static_cast<std::uint64_t>(info[1].ToNumber().DoubleValue());
    const std::uint32_t lease = info[2].ToNumber().Uint32Value();
    const std::uint64_t now = static_cast<std::uint64_t>(info[3].ToNumber().DoubleValue());
    const std::uint32_t pid = static_cast<std::uint32_t>(getpid());
    layout::JournalHeader& h = writable();
    for (std::size_t i = 0; i < layout::kCursorCapacity; i++) {
      layout::CursorEntry& c = h.cursors[i];
      // The first 8 bytes (state, pid) form the claim word: one compare-and-swap decides who owns the entry.
      auto word = std::atomic_ref<std::uint64_t>(*reinterpret_cast<std::uint64_t*>(&c.state));
      std::uint64_t observed = word.load(std::memory_order_acquire);
      const auto state = static_cast<layout::CursorState>(observed & 0xffffffffu);
      const std::uint64_t heartbeat = std::atomic_ref<std::uint64_t>(c.heartbeat_ms).load(std::memory_order_relaxed);
      const std::uint64_t lease_ms = std::atomic_ref<std::uint32_t>(c.lease_ms).load(std::memory_order_relaxed);
      const bool expired = now > heartbeat && now - heartbeat > std::max<std::uint64_t>(lease_ms, 1000);
      const bool free = state == layout::CursorState::Free ||
                        ((state == layout::CursorState::Active || state == layout::CursorState::Claiming) && expired);
      if (!free) continue;
      const std::uint64_t claiming = (static_cast<std::uint64_t>(pid) << 32) |
                                     static_cast<std::uint32_t>(layout::CursorState::Claiming);
      if (!word.compare_exchange_strong(observed, claiming, std::memory_order_acq_rel)) continue;
      std::atomic_ref<std::uint64_t>(c.heartbeat_ms).store(now, std::memory_order_relaxed);
      std::atomic_ref<std::uint64_t>(c.position).store(position, std::memory_order_relaxed);
      std::atomic_ref<std::uint32_t>(c.lease_ms).store(lease, std::memory_order_relaxed);
      std::memset(c.name, 0, sizeof c.name);
      std::memcpy(c.name, name.data(), std::min(name.size(), sizeof c.name));
      std::atomic_ref<std::uint32_t>(c.state).store(static_cast<std::uint32_t>(layout::CursorState::Active),
                                                    std::memory_order_release);
      std::atomic_ref<std::uint32_t>(h.cursor_active_mask).fetch_or(1u << i, std::memory_order_acq_rel);
      return Napi::Number::New(env, static_cast<double>(i));
    }
    return Napi::Number::New(env, -1);
  }

  // updateCursor(index, position, nowMs): moves the position and renews the lease.
  Napi::Value UpdateCursor(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!writable_open(env)) return env.Undefined();
    const std::uint32_t index = info[0].ToNumber().Uint32Value();
    if (index >= layout::kCursorCapacity) {
      Napi::RangeError::New(env, "cursor index out of range").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    layout::CursorEntry& c = writable().cursors[index];
    std::atomic_ref<std::uint64_t>(c.position)
        .store(static_cast<std::uint64_t>(info[1].ToNumber().DoubleValue()), std::memory_order_release);
    std::atomic_ref<std::uint64_t>(c.heartbeat_ms)
        .store(static_cast<std::uint64_t>(info[2].ToNumber().DoubleValue()), std::memory_order_release);
    return env.Undefined();
  }

  Napi::Value ReleaseCursor(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!writable_open(env)) return env.Undefined();
    const std::uint32_t index = info[0].ToNumber().Uint32Value();
    if (index >= layout::kCursorCapacity) {
      Napi::RangeError::New(env, "cursor index out of range").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    layout::JournalHeader& h = writable();
    std::atomic_ref<std::uint32_t>(h.cursor_active_mask).fetch_and(~(1u << index), std::memory_order_acq_rel);
    std::atomic_ref<std::uint32_t>(h.cursors[index].state)
        .store(static_cast<std::uint32_t>(layout::CursorState::Free), std::memory_order_release);
    return env.Undefined();
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (mapping_ == nullptr) return env.Undefined();
    // Detaching makes later access through the buffers throw instead of touching unmapped memory.
    for (Napi::Reference<Napi::ArrayBuffer>* r : {&header_, &ring_, &blob_}) {
      if (r->IsEmpty()) continue;
      Napi::ArrayBuffer b = r->Value();
      if (!b.IsEmpty() && !b.IsDetached()) b.Detach();
      r->Reset();
    }
    mapping_->unmap();
    drop();
    return env.Undefined();
  }

  Mapping* mapping_ = nullptr;
  Napi::Reference<Napi::ArrayBuffer> header_;
  Napi::Reference<Napi::ArrayBuffer> ring_;
  Napi::Reference<Napi::ArrayBuffer> blob_;
};

// ── free functions ─────────────────────────────────────────────────────────────────────────────────

Napi::Value Crc32c(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsTypedArray()) {
    Napi::TypeError::New(env, "crc32c(bytes, previous?) needs a Uint8Array").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Uint8Array bytes = info[0].As<Napi::Uint8Array>();
  const std::uint32_t previous = info.Length() > 1 ? info[1].ToNumber().Uint32Value() : 0;
  return Napi::Number::New(env, crc32c(bytes.Data(), bytes.ByteLength(), previous));
}

#define LAYOUT_OFFSET(object, name, expr) object.Set(name, Napi::Number::New(env, static_cast<double>(expr)))

Napi::Value Layout(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  using layout::JournalHeader;
  using layout::CausalEvent;
  using layout::CursorEntry;
  Napi::Object o = Napi::Object::New(env);
  LAYOUT_OFFSET(o, "HEADER_SIZE", sizeof(JournalHeader));
  LAYOUT_OFFSET(o, "FORMAT_VERSION", layout::kFormatVersion);
  LAYOUT_OFFSET(o, "MAGIC_OFFSET", offsetof(JournalHeader, identity.magic));
  LAYOUT_OFFSET(o, "VERSION_OFFSET", offsetof(JournalHeader, identity.version));
  LAYOUT_OFFSET(o, "HEADER_SIZE_OFFSET", offsetof(JournalHeader, identity.header_size));
  LAYOUT_OFFSET(o, "SLOT_COUNT_OFFSET", offsetof(JournalHeader, identity.slot_count));
  LAYOUT_OFFSET(o, "BLOB_SIZE_OFFSET", offsetof(JournalHeader, identity.blob_size));
  LAYOUT_OFFSET(o, "RING_OFFSET_OFFSET", offsetof(JournalHeader, identity.ring_offset));
  LAYOUT_OFFSET(o, "BLOB_OFFSET_OFFSET", offsetof(JournalHeader, identity.blob_offset));
  LAYOUT_OFFSET(o, "FILE_SIZE_OFFSET", offsetof(JournalHeader, identity.file_size));
  LAYOUT_OFFSET(o, "CREATED_MS_OFFSET", offsetof(JournalHeader, identity.created_ms));
  LAYOUT_OFFSET(o, "WRITER_PID_OFFSET", offsetof(JournalHeader, writer.writer_pid));
  LAYOUT_OFFSET(o, "WRITER_STATE_OFFSET", offsetof(JournalHeader, writer.writer_state));
  LAYOUT_OFFSET(o, "WRITER_OPENED_MS_OFFSET", offsetof(JournalHeader, writer.writer_opened_ms));
  LAYOUT_OFFSET(o, "OPEN_COUNT_OFFSET", offsetof(JournalHeader, writer.open_count));
  LAYOUT_OFFSET(o, "FSYNC_MODE_OFFSET", offsetof(JournalHeader, writer.fsync_mode));
  LAYOUT_OFFSET(o, "MAX_PAYLOAD_OFFSET", offsetof(JournalHeader, writer.max_payload));
  LAYOUT_OFFSET(o, "DURABLE_HEAD_OFFSET", offsetof(JournalHeader, writer.durable_head));
  LAYOUT_OFFSET(o, "HEAD_OFFSET", offsetof(JournalHeader, publication.head));
  LAYOUT_OFFSET(o, "BLOB_HEAD_OFFSET", offsetof(JournalHeader, publication.blob_head));
  LAYOUT_OFFSET(o, "CLOCK_OFFSET", offsetof(JournalHeader, publication.clock));
  LAYOUT_OFFSET(o, "PUBLISHED_MS_OFFSET", offsetof(JournalHeader, publication.published_ms));
  LAYOUT_OFFSET(o, "TAIL_OFFSET", offsetof(JournalHeader, retention.tail));
  LAYOUT_OFFSET(o, "BLOB_TAIL_OFFSET", offsetof(JournalHeader, retention.blob_tail));
  LAYOUT_OFFSET(o, "COUNTERS_OFFSET", offsetof(JournalHeader, counters));
  LAYOUT_OFFSET(o, "COUNTER_CAPACITY", layout::kCounterCapacity);
  LAYOUT_OFFSET(o, "COUNTER_COUNT", layout::kCounterCount);
  LAYOUT_OFFSET(o, "CURSOR_ACTIVE_MASK_OFFSET", offsetof(JournalHeader, cursor_active_mask));
  LAYOUT_OFFSET(o, "CURSOR_TABLE_OFFSET", offsetof(JournalHeader, cursors));
  LAYOUT_OFFSET(o, "CURSOR_CAPACITY", layout::kCursorCapacity);
  LAYOUT_OFFSET(o, "CURSOR_SIZE", sizeof(CursorEntry));
  LAYOUT_OFFSET(o, "CURSOR_STATE", offsetof(CursorEntry, state));
  LAYOUT_OFFSET(o, "CURSOR_PID", offsetof(CursorEntry, pid));
  LAYOUT_OFFSET(o, "CURSOR_POSITION", offsetof(CursorEntry, position));
  LAYOUT_OFFSET(o, "CURSOR_HEARTBEAT_MS", offsetof(CursorEntry, heartbeat_ms));
  LAYOUT_OFFSET(o, "CURSOR_LEASE_MS", offsetof(CursorEntry, lease_ms));
  LAYOUT_OFFSET(o, "CURSOR_NAME", offsetof(CursorEntry, name));
  LAYOUT_OFFSET(o, "STREAM_TABLE_OFFSET", offsetof(JournalHeader, streams));
  LAYOUT_OFFSET(o, "STREAM_TABLE_CAPACITY", layout::kStreamTableCapacity);
  LAYOUT_OFFSET(o, "STREAM_ENTRY_SIZE", sizeof(layout::StreamEntry));
  LAYOUT_OFFSET(o, "SLOT_SIZE", sizeof(CausalEvent));
  LAYOUT_OFFSET(o, "LAMPORT_TS_OFFSET", offsetof(CausalEvent, lamport_ts));
  LAYOUT_OFFSET(o, "NODE_ID_OFFSET", offsetof(CausalEvent, node_id));
  LAYOUT_OFFSET(o, "STREAM_ID_OFFSET", offsetof(CausalEvent, stream_id));
  LAYOUT_OFFSET(o, "FLAGS_OFFSET", offsetof(CausalEvent, flags));
  LAYOUT_OFFSET(o, "PAYLOAD_OFFSET_OFFSET", offsetof(CausalEvent, payload_offset));
  LAYOUT_OFFSET(o, "CHECKSUM_OFFSET", offsetof(CausalEvent, checksum));
  LAYOUT_OFFSET(o, "PAYLOAD_LENGTH_OFFSET", offsetof(CausalEvent, payload_len));
  LAYOUT_OFFSET(o, "PAYLOAD_ALIGNMENT", layout::kPayloadAlignment);
  LAYOUT_OFFSET(o, "DEFAULT_SLOT_COUNT", layout::kDefaultSlotCount);
  LAYOUT_OFFSET(o, "DEFAULT_BLOB_SIZE", layout::kDefaultBlobSize);
  o.Set("MAGIC", Napi::BigInt::New(env, static_cast<std::uint64_t>(layout::kMagic)));
  return o;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("Sequencer", SequencerWrap::Define(env));
  exports.Set("JournalMapping", JournalMappingWrap::Define(env));
  exports.Set("crc32c", Napi::Function::New(env, Crc32c, "crc32c"));
  exports.Set("crc32cUsesHardware", Napi::Boolean::New(env, crc32c_uses_hardware()));
  exports.Set("layout", Napi::Function::New(env, Layout, "layout"));
  return exports;
}

}  // namespace
}  // namespace lacrimosa

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return lacrimosa::Init(env, exports); }

NODE_API_MODULE(lacrimosa_native, InitAddon)
