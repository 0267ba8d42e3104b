// MSBuild task (compiled by RoslynCodeTaskFactory): lets a shared library load against an older
// libstdc++ when the newer symbol versions it asks for are never actually bound.
//
// TorchSharp 0.107's libLibTorchSharp.so was linked with GCC 13. Every C++ file that includes
// <iostream> there emits `.globl _ZSt21ios_base_library_initv`, a bare reference (no relocation
// uses it) whose only purpose is to require libstdc++ >= GCC 13, tagged GLIBCXX_3.4.32. Debian 12
// has GCC 12's libstdc++, so the dynamic loader refuses the whole library over a version need that
// nothing uses. Setting VER_FLG_WEAK on that need makes a missing version a non-error, which is
// exactly right because no symbol of that version is ever looked up. The task proves that before
// patching: if any relocation refers to a symbol of a missing version, it stops with an error
// instead (then a real newer libstdc++ is needed).
//
// Portable mode (for natives shipped to other machines, e.g. inside the kindling tool package):
// the target's libstdc++ is unknown, so every need that no relocation binds is weakened, whether
// or not this machine's libstdc++ has it. That is safe everywhere: a weak need that is present is
// checked as before, and one that is absent was never going to be looked up.
//
// Idempotent: a need already weak, or present in the system's libstdc++, is left alone; nothing
// is written when nothing needs changing. The file is replaced through a temporary copy and a
// rename, so a hard link into the NuGet cache is broken, never written through.
#nullable enable
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public sealed class WeakenMissingVersionNeeds : Task
{
    /// <summary>The library to patch (libLibTorchSharp.so in a build output).</summary>
    [Required] public string Library { get; set; } = "";

    /// <summary>The dependency whose missing versions to weaken, e.g. libstdc++.so.6.</summary>
    [Required] public string Dependency { get; set; } = "";

    /// <summary>Weaken every unbound need on <see cref="Dependency"/>, not only those this system lacks.</summary>
    public bool Portable { get; set; }

    const ushort VerFlgWeak = 0x2;

    public override bool Execute()
    {
        var system = FindSystemLibrary(Dependency);
        if (system == null && !Portable)
        {
            Log.LogWarning($"Kindling: {Dependency} not found on this system; {Library} left as it is.");
            return true;
        }

        var image = File.ReadAllBytes(Library);
        var elf = new Elf(image);
        var provided = system == null ? new HashSet<string>() : new HashSet<string>(new Elf(File.ReadAllBytes(system)).VersionDefinitions());
        var bound = elf.RelocatedSymbolVersions();
        var strong = elf.VersionNeeds().Where(n => n.File == Dependency && (n.Flags & VerFlgWeak) == 0).ToList();
        // Missing here and bound: no flag helps, this machine needs a newer libstdc++.
        foreach (var need in strong.Where(n => system != null && !provided.Contains(n.Name)))
        {
            if (bound.TryGetValue(need.Index, out var symbol))
            {
                Log.LogError($"Kindling: {Library} needs {need.Name} from {Dependency} and binds {symbol} from it, but {system} " +
                             $"does not provide {need.Name}. Install a libstdc++ from GCC 13 or newer (e.g. the libstdc++6 package of a newer release).");
                return false;
            }
        }
        var missing = strong
            .Where(n => !bound.ContainsKey(n.Index) && (Portable || !provided.Contains(n.Name)))
            .ToList();
        if (missing.Count == 0)
        {
            Log.LogMessage(MessageImportance.Low, $"Kindling: {Path.GetFileName(Library)} loads against {system ?? Dependency} as it is.");
            return true;
        }

        foreach (var need in missing)
        {
            var flags = (ushort)(need.Flags | VerFlgWeak);
            image[need.FlagsOffset] = (byte)flags;
            image[need.FlagsOffset + 1] = (byte)(flags >> 8);
        }

        var stamp = File.GetLastWriteTimeUtc(Library);
        var temp = Library + ".kindling-tmp";
        File.WriteAllBytes(temp, image);
        File.Replace(temp, Library, null); // a rename: the old inode (maybe the NuGet cache's) is untouched
        // Same size and time as the package's file, so incremental builds see it as up to date
        // instead of copying (and patching) it again.
        File.SetLastWriteTimeUtc(Library, stamp);
        Log.LogMessage(MessageImportance.High, Portable
            ? $"Kindling: marked {string.Join(", ", missing.Select(m => m.Name))} weak in {Library} (portable: no symbol binds them, so any libstdc++ may lack them)."
            : $"Kindling: marked {string.Join(", ", missing.Select(m => m.Name))} weak in {Library} ({system} lacks them; no symbol binds them).");
        return true;
    }

    static string? FindSystemLibrary(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("LD_LIBRARY_PATH") ?? "").Split(new[] { ':' }, StringSplitOptions.RemoveEmptyEntries))
            if (File.Exists(Path.Combine(dir, name))) return Path.Combine(dir, name);
        try
        {
            var psi = new ProcessStartInfo("/sbin/ldconfig", "-p") { RedirectStandardOutput = true, UseShellExecute = false };
            using var p = Process.Start(psi)!;
            var output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            // "\tlibstdc++.so.6 (libc6,x86-64) => /lib/x86_64-linux-gnu/libstdc++.so.6": prefer this process's ABI.
            var abi = System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.Arm64 ? "AArch64" : "x86-64";
            var candidates = output.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith(name + " (") && l.Contains("=>")).ToList();
            foreach (var line in candidates.Where(l => l.Contains(abi)).Concat(candidates))
            {
                var path = line.Substring(line.IndexOf("=>", StringComparison.Ordinal) + 2).Trim();
                if (File.Exists(path)) return path;
            }
        }
        catch (Exception) { /* no ldconfig: fall through to the usual places */ }
        foreach (var dir in new[] { "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib" })
            if (File.Exists(Path.Combine(dir, name))) return Path.Combine(dir, name);
        return null;
    }

    // (RoslynCodeTaskFactory compiles against netstandard2.0: no records, spans or File.Move overwrite.)
    sealed class VersionNeed
    {
        public VersionNeed(string file, string name, ushort flags, ushort index, int flagsOffset)
        { File = file; Name = name; Flags = flags; Index = index; FlagsOffset = flagsOffset; }
        public string File { get; }
        public string Name { get; }
        public ushort Flags { get; }
        public ushort Index { get; }
        public int FlagsOffset { get; }
    }

    /// <summary>Just enough of ELF64 little-endian to read symbol versioning.</summary>
    sealed class Elf
    {
        readonly byte[] b;
        readonly List<(uint Type, long Offset, long Size, int Link)> sections = new();

        public Elf(byte[] bytes)
        {
            b = bytes;
            if (b.Length < 64 || b[0] != 0x7f || b[1] != (byte)'E' || b[2] != (byte)'L' || b[3] != (byte)'F' || b[4] != 2 || b[5] != 1)
                throw new InvalidDataException("not a 64-bit little-endian ELF file");
            long shoff = (long)U64(0x28);
            int shentsize = U16(0x3A), shnum = U16(0x3C);
            for (int i = 0; i < shnum; i++)
            {
                long h = shoff + (long)i * shentsize;
                sections.Add((U32(h + 4), (long)U64(h + 24), (long)U64(h + 32), (int)U32(h + 40)));
            }
        }

        ushort U16(long o) => BitConverter.ToUInt16(b, (int)o);
        uint U32(long o) => BitConverter.ToUInt32(b, (int)o);
        ulong U64(long o) => BitConverter.ToUInt64(b, (int)o);
        string Str(long o) { int e = Array.IndexOf(b, (byte)0, (int)o); return Encoding.ASCII.GetString(b, (int)o, e - (int)o); }

        public IEnumerable<string> VersionDefinitions()
        {
            foreach (var s in sections.Where(s => s.Type == 0x6ffffffd))
            {
                long strtab = sections[s.Link].Offset, o = s.Offset;
                while (true)
                {
                    uint aux = U32(o + 12), next = U32(o + 16);
                    yield return Str(strtab + U32(o + aux));
                    if (next == 0) break;
                    o += next;
                }
            }
        }

        public List<VersionNeed> VersionNeeds()
        {
            var result = new List<VersionNeed>();
            foreach (var s in sections.Where(s => s.Type == 0x6ffffffe))
            {
                long strtab = sections[s.Link].Offset, o = s.Offset;
                while (true)
                {
                    ushort count = U16(o + 2);
                    string file = Str(strtab + U32(o + 4));
                    long a = o + U32(o + 8);
                    for (int i = 0; i < count; i++)
                    {
                        result.Add(new VersionNeed(file, Str(strtab + U32(a + 8)), U16(a + 4), U16(a + 6), (int)a + 4));
                        a += U32(a + 12);
                    }
                    uint next = U32(o + 12);
                    if (next == 0) break;
                    o += next;
                }
            }
            return result;
        }

        /// <summary>Version index -> one symbol of that version that some relocation binds.</summary>
        public Dictionary<ushort, string> RelocatedSymbolVersions()
        {
            var bound = new Dictionary<ushort, string>();
            int dynsymIndex = sections.FindIndex(s => s.Type == 11);
            var versym = sections.FirstOrDefault(s => s.Type == 0x6fffffff);
            if (dynsymIndex < 0 || versym.Size == 0) return bound;
            var dynsym = sections[dynsymIndex];
            long strtab = sections[dynsym.Link].Offset;
            foreach (var rela in sections.Where(s => s.Type == 4 && s.Link == dynsymIndex))
            {
                for (long r = rela.Offset; r < rela.Offset + rela.Size; r += 24)
                {
                    long sym = (long)(U64(r + 8) >> 32);
                    if (sym == 0) continue;
                    ushort version = (ushort)(U16(versym.Offset + 2 * sym) & 0x7fff);
                    if (!bound.ContainsKey(version))
                        bound[version] = Str(strtab + U32(dynsym.Offset + 24 * sym));
                }
            }
            return bound;
        }
    }
}
