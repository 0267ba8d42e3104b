using TorchSharp;

namespace Kindling.Runtime;

/// <summary>Loads libtorch once, with a real diagnosis when it cannot, and reports what is running.</summary>
public static class TorchRuntime
{
    static readonly object Gate = new();
    static bool loaded;

    /// <summary>Makes sure libtorch is loaded; throws <see cref="NativeLoadException"/> with the cause and the fix otherwise.</summary>
    public static void EnsureLoaded()
    {
        if (loaded) return;
        lock (Gate)
        {
            if (loaded) return;
            // Before libtorch runs anything: oneDNN reads its instruction-set cap once.
            OneDnnIsaCap.Apply();
            var diagnosis = NativeLoadDiagnosis.Run();
            if (!diagnosis.Loaded) throw new NativeLoadException(diagnosis);
            try
            {
                torch.InitializeDeviceType(DeviceType.CPU);
            }
            catch (NotSupportedException e)
            {
                throw new NativeLoadException(diagnosis with { Loaded = false, LoaderError = FirstLine(e.Message) }, e);
            }
            loaded = true;
        }
    }

    /// <summary>Versions, threads and devices of this process.</summary>
    public static RuntimeReport Report()
    {
        EnsureLoaded();
        var torchSharp = typeof(torch).Assembly.GetName().Version?.ToString(3) ?? "?";
        var cuda = torch.cuda.is_available();
        return new RuntimeReport(
            TorchSharpVersion: torchSharp,
            LibTorchVersion: torch.__version__,
            IntraOpThreads: torch.get_num_threads(),
            InterOpThreads: torch.get_num_interop_threads(),
            LogicalCores: Environment.ProcessorCount,
            CudaAvailable: cuda,
            CudaDevices: cuda ? torch.cuda.device_count() : 0,
            DefaultDevice: Devices.Resolve("auto").ToString(),
            Os: System.Runtime.InteropServices.RuntimeInformation.OSDescription,
            Dotnet: Environment.Version.ToString(),
            NativeLibrary: NativeLoadDiagnosis.Run().LibraryPath,
            OneDnn: OneDnnIsaCap.Notice);
    }

    static string FirstLine(string s) => s.Split('\n', 2)[0].Trim();
}
