import AutoconvCore
import AutoconvOpenCL
import Testing

@Suite struct DeviceTests {
    @Test func listsDevicesWithTheirCapabilities() throws {
        let devices = try OpenCLDevices.all()
        #expect(!devices.isEmpty)
        for (i, device) in devices.enumerated() {
            #expect(device.index == i)
            #expect(!device.name.isEmpty && !device.platform.isEmpty)
            #expect(device.computeUnits >= 1 && device.globalMemory > 0 && device.maxWorkGroupSize >= 1)
            #expect(device.openCLVersion.hasPrefix("OpenCL "))
        }
    }

    @Test func selectsByIndexAndByName() throws {
        let first = try OpenCLDevices.all()[0]
        #expect(try OpenCLDevices.select("0") == first)
        #expect(try OpenCLDevices.select(String(first.name.dropFirst().prefix(6)).uppercased()) == first)
    }

    @Test func refusesABadIndexOrName() throws {
        let count = try OpenCLDevices.all().count
        #expect { try OpenCLDevices.select(String(count)) } throws: { error in
            guard case CoreError.badInput(let message) = error else { return false }
            return message.contains("out of range")
        }
        #expect { try OpenCLDevices.select("no-such-device-xyz") } throws: { error in
            guard case CoreError.badInput = error else { return false }
            return true
        }
    }

    @Test func refusesAWorkGroupLargerThanTheDeviceAllows() throws {
        let backend = try testBackend(workGroupSize: 1 << 20)
        let job = try Job(problem: try Problem(n: 1, m: 5))
        #expect { try backend.bound(job, progress: nil) } throws: { error in
            guard case CoreError.badInput(let message) = error else { return false }
            return message.contains("work-group size")
        }
    }
}
