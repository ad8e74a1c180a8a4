import AutoconvCore
import AutoconvOpenCL

/// The device every OpenCL test runs on: the default choice (first GPU, else first device).
/// Without any OpenCL device the tests fail with the loader's message and hint; they never
/// skip (CI installs POCL).
func testDevice() throws -> OpenCLDevice {
    try OpenCLDevices.select(nil)
}

/// An engine on the test device with small walks, so that even tiny jobs spread over many
/// work-items and work-groups (partial groups and empty work-items included).
func testBackend(workGroupSize: Int, ranksPerWorkItem: UInt64 = 37, batchSize: UInt64? = nil) throws -> OpenCLEngine {
    var configuration = OpenCLConfiguration()
    configuration.workGroupSize = workGroupSize
    configuration.ranksPerWorkItem = ranksPerWorkItem
    configuration.batchSize = batchSize
    return try OpenCLEngine(device: try testDevice(), configuration: configuration)
}
