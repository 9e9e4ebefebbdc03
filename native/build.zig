//! Builds isomc's native layer:
//!   zig-out/lib/libisomc.a            the runtime that checked programs link (include/isomc.h)
//!   zig-out/lib/libisomc_preload.so   the same runtime as a shared library, which `isomc check
//!                                     --preload` preloads into binaries built elsewhere
//!   zig-out/lib/libisomc_checker.so   the checker-side library the TypeScript checker loads by FFI
//!   zig-out/bin/isomc-protocol-vectors  a fixture that speaks the protocol from the Zig side,
//!                                     used by the TypeScript tests to test across the boundary
//! `zig build test` runs every native unit test in Debug and in ReleaseSafe.

const std = @import("std");

const Roots = struct {
    protocol: []const u8 = "src/protocol.zig",
    runtime: []const u8 = "src/runtime/api.zig",
    checker: []const u8 = "src/checker/ffi.zig",
    vectors: []const u8 = "src/tools/protocol_vectors.zig",
    agent: []const u8 = "src/agent/agent.zig",
    fd_list: []const u8 = "src/fd_list.zig",
};

pub fn build(b: *std.Build) void {
    const target = b.standardTargetOptions(.{});
    const optimize = b.standardOptimizeOption(.{});
    const roots = Roots{};

    const artifacts = modules(b, roots, target, optimize);

    // The runtime goes into the user's programs, which are debugged under valgrind; valgrind
    // does not decode the newest instructions (AVX-512), so build it for the baseline CPU.
    var runtime_query = target.query;
    if (runtime_query.cpu_model == .native or runtime_query.cpu_model == .determined_by_arch_os)
        runtime_query.cpu_model = .baseline;
    const portable = modules(b, roots, b.resolveTargetQuery(runtime_query), optimize);
    const runtime = b.addLibrary(.{ .name = "isomc", .linkage = .static, .root_module = portable.runtime, .use_llvm = true });
    runtime.bundle_compiler_rt = true;
    b.installArtifact(runtime);

    // The same runtime, from the same sources, as a shared library for LD_PRELOAD (`isomc check
    // --preload`, docs/pthreads.md): built with `preload` set, it takes main from
    // __libc_start_main instead of a constructor.
    const preload = b.addLibrary(.{
        .name = "isomc_preload",
        .linkage = .dynamic,
        .root_module = runtimeModule(b, roots, b.resolveTargetQuery(runtime_query), optimize, portable.protocol, true),
        .use_llvm = true,
    });
    b.installArtifact(preload);

    const checker = b.addLibrary(.{ .name = "isomc_checker", .linkage = .dynamic, .root_module = artifacts.checker });
    b.installArtifact(checker);

    // The agent the checker injects into checked programs with LD_PRELOAD (file descriptors).
    const agent = b.addLibrary(.{ .name = "isomc_agent", .linkage = .dynamic, .root_module = b.createModule(.{
        .root_source_file = b.path(roots.agent),
        .target = b.resolveTargetQuery(runtime_query),
        .optimize = optimize,
        .pic = true,
        .imports = &.{.{ .name = "fd_list", .module = portable.fd_list }},
    }) });
    b.installArtifact(agent);

    const vectors = b.addExecutable(.{ .name = "isomc-protocol-vectors", .root_module = artifacts.vectors });
    b.installArtifact(vectors);

    const test_step = b.step("test", "Run the native unit tests in Debug and ReleaseSafe");
    for ([_]std.builtin.OptimizeMode{ .Debug, .ReleaseSafe }) |mode| {
        const m = modules(b, roots, target, mode);
        for ([_]*std.Build.Module{ m.protocol, m.runtime, m.checker, m.fd_list }) |root| {
            // LLVM also in Debug: the self-hosted backend does not emit global assembly.
            const t = b.addTest(.{ .root_module = root, .use_llvm = true });
            test_step.dependOn(&b.addRunArtifact(t).step);
        }
    }
}

const Modules = struct {
    protocol: *std.Build.Module,
    fd_list: *std.Build.Module,
    runtime: *std.Build.Module,
    checker: *std.Build.Module,
    vectors: *std.Build.Module,
};

fn modules(b: *std.Build, roots: Roots, target: std.Build.ResolvedTarget, optimize: std.builtin.OptimizeMode) Modules {
    const protocol = b.createModule(.{
        .root_source_file = b.path(roots.protocol),
        .target = target,
        .optimize = optimize,
    });
    const fd_list = b.createModule(.{
        .root_source_file = b.path(roots.fd_list),
        .target = target,
        .optimize = optimize,
        .pic = true,
    });
    const imports: []const std.Build.Module.Import = &.{.{ .name = "protocol", .module = protocol }};
    const checker_imports: []const std.Build.Module.Import = &.{
        .{ .name = "protocol", .module = protocol },
        .{ .name = "fd_list", .module = fd_list },
    };
    return .{
        .protocol = protocol,
        .fd_list = fd_list,
        .runtime = runtimeModule(b, roots, target, optimize, protocol, false),
        .checker = b.createModule(.{
            .root_source_file = b.path(roots.checker),
            .target = target,
            .optimize = optimize,
            .link_libc = true,
            .pic = true,
            .imports = checker_imports,
        }),
        .vectors = b.createModule(.{
            .root_source_file = b.path(roots.vectors),
            .target = target,
            .optimize = optimize,
            .imports = imports,
        }),
    };
}

/// The runtime's module; `preload`: for the shared library that LD_PRELOAD brings (the option
/// `build_options.preload` of native/src/runtime/pthread.zig).
fn runtimeModule(
    b: *std.Build,
    roots: Roots,
    target: std.Build.ResolvedTarget,
    optimize: std.builtin.OptimizeMode,
    protocol: *std.Build.Module,
    preload: bool,
) *std.Build.Module {
    const options = b.addOptions();
    options.addOption(bool, "preload", preload);
    return b.createModule(.{
        .root_source_file = b.path(roots.runtime),
        .target = target,
        .optimize = optimize,
        .link_libc = true,
        .pic = true,
        // Keeps std.valgrind's client requests in release builds: the actors' stacks must
        // be registered for programs to run cleanly under valgrind.
        .valgrind = true,
        // entry.callSite reads the program's return address through the API function's
        // frame pointer (entry.zig).
        .omit_frame_pointer = false,
        .imports = &.{
            .{ .name = "protocol", .module = protocol },
            .{ .name = "build_options", .module = options.createModule() },
        },
    });
}
