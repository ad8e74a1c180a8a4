// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "autoconv",
    products: [
        .executable(name: "autoconv", targets: ["autoconv"]),
        .library(name: "AutoconvCore", targets: ["AutoconvCore"]),
        .library(name: "AutoconvCPU", targets: ["AutoconvCPU"]),
        .library(name: "AutoconvOpenCL", targets: ["AutoconvOpenCL"]),
        .library(name: "AutoconvEngines", targets: ["AutoconvEngines"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/attaswift/BigInt", from: "6.0.0"),
    ],
    targets: [
        // MARK: Public modules
        .target(name: "AutoconvCore", exclude: ["README.md"]),
        .target(name: "AutoconvCPU", dependencies: ["AutoconvCore"], exclude: ["README.md"]),
        // The OpenCL backend: the only importer of COpenCL; kernels embedded by EmbedKernels.
        .target(name: "AutoconvOpenCL", dependencies: ["AutoconvCore", "COpenCL"], exclude: ["README.md"],
                plugins: ["EmbedKernels"]),
        // The one place that knows every backend: `Engines.make` chooses the engine of a run.
        .target(name: "AutoconvEngines", dependencies: ["AutoconvCore", "AutoconvCPU", "AutoconvOpenCL"], exclude: ["README.md"]),
        // Shards, certificates and the independent checker (no engine code, by design).
        .target(name: "AutoconvVerify", dependencies: ["AutoconvCore"]),
        // The multi-level cascade: run directory, survivor files, external sort, checkpoints.
        .target(name: "AutoconvCascade", dependencies: ["AutoconvCore"]),
        // `autoconv plan`: estimates each start's cascade from seeded samples of its parents.
        .target(name: "AutoconvPlan", dependencies: ["AutoconvCore", "AutoconvCascade"], exclude: ["README.md"]),
        .executableTarget(
            name: "autoconv",
            dependencies: [
                "AutoconvCore", "AutoconvVerify", "AutoconvCascade", "AutoconvOpenCL", "AutoconvEngines", "AutoconvPlan",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: Implementation details
        // OpenCL loaded at run time with dlopen, plus the kernels' shared header.
        .target(name: "COpenCL", linkerSettings: [.linkedLibrary("dl")]),
        // Embeds Kernels/*.cl and Kernels/autoconv_shared.h as Swift string constants.
        .plugin(name: "EmbedKernels", capability: .buildTool(), dependencies: ["EmbedKernelsTool"]),
        .executableTarget(name: "EmbedKernelsTool", path: "Plugins/EmbedKernelsTool"),

        // MARK: Tests
        .target(
            name: "TestSupport",
            dependencies: ["AutoconvCore", .product(name: "BigInt", package: "BigInt")],
            path: "Tests/TestSupport"
        ),
        .testTarget(
            name: "AutoconvCoreTests",
            dependencies: ["AutoconvCore", "TestSupport", .product(name: "BigInt", package: "BigInt")]
        ),
        .testTarget(name: "AutoconvCPUTests", dependencies: ["AutoconvCore", "AutoconvCPU", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["AutoconvCore", "TestSupport"]),
        .testTarget(name: "AutoconvOpenCLTests", dependencies: ["AutoconvCore", "AutoconvCPU", "AutoconvOpenCL", "TestSupport"]),
        .testTarget(name: "AutoconvVerifyTests", dependencies: ["AutoconvCore", "AutoconvCPU", "AutoconvVerify", "TestSupport"]),
        .testTarget(name: "AutoconvCascadeTests", dependencies: ["AutoconvCore", "AutoconvCPU", "AutoconvCascade", "AutoconvOpenCL", "TestSupport"]),
        .testTarget(name: "AutoconvPlanTests", dependencies: ["AutoconvCore", "AutoconvCPU", "AutoconvCascade", "AutoconvPlan", "TestSupport"]),
        .testTarget(name: "ShardTests", dependencies: ["AutoconvCore", "AutoconvCPU", "AutoconvVerify", "TestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)
