/// What both OpenCL backends hold: the device, how to launch on it, and a context and queue
/// there. `OpenCLBackend` runs single levels, `OpenCLChildBackend` the cascade's children.
public class OpenCLEngine {
    public let device: OpenCLDevice
    public let configuration: OpenCLConfiguration
    let session: OpenCLSession

    public init(device: OpenCLDevice, configuration: OpenCLConfiguration = OpenCLConfiguration()) throws {
        self.device = device
        self.configuration = configuration
        session = try OpenCLSession(device: device)
    }

    public var name: String { "opencl" }
    public var deviceDescription: String { device.summary }
}
