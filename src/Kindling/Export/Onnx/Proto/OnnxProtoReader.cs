using System.Runtime.InteropServices;
using Google.Protobuf;
using static Kindling.Export.Onnx.Proto.ProtoFields;

namespace Kindling.Export.Onnx.Proto;

/// <summary>
/// Reads ModelProto bytes back into an <see cref="OnnxModel"/>: the fields <see cref="OnnxProtoWriter"/>
/// writes, plus the typed data fields (float_data, int32_data, int64_data, packed or not) other writers
/// such as ONNX Runtime use. Unknown fields are skipped, so a model with more in it still reads.
/// </summary>
static class OnnxProtoReader
{
    public static OnnxModel Read(byte[] bytes)
    {
        long ir = 0, opset = 0;
        OnnxGraph? graph = null;
        string producer = "", version = "";
        var metadata = new Dictionary<string, string>();
        Fields(ByteString.CopyFrom(bytes), (field, input) =>
        {
            switch (field)
            {
                case ModelIrVersion: ir = input.ReadInt64(); break;
                case ModelProducerName: producer = input.ReadString(); break;
                case ModelProducerVersion: version = input.ReadString(); break;
                case ModelGraph: graph = Graph(input.ReadBytes()); break;
                case ModelOpsetImport:
                    string domain = "";
                    long v = 0;
                    Fields(input.ReadBytes(), (f, s) =>
                    {
                        if (f == OpsetDomain) domain = s.ReadString();
                        else if (f == OpsetVersion) v = s.ReadInt64();
                        else s.SkipLastField();
                    });
                    if (domain is "" or "ai.onnx") opset = v;
                    break;
                case ModelMetadataProps:
                    string key = "", value = "";
                    Fields(input.ReadBytes(), (f, s) =>
                    {
                        if (f == EntryKey) key = s.ReadString();
                        else if (f == EntryValue) value = s.ReadString();
                        else s.SkipLastField();
                    });
                    metadata[key] = value;
                    break;
                default: input.SkipLastField(); break;
            }
        });
        return new OnnxModel
        {
            Graph = graph ?? throw new InvalidDataException("The ModelProto has no graph."),
            IrVersion = ir, Opset = opset, ProducerName = producer, ProducerVersion = version, Metadata = metadata,
        };
    }

    static OnnxGraph Graph(ByteString bytes)
    {
        var g = new OnnxGraph();
        Fields(bytes, (field, input) =>
        {
            switch (field)
            {
                case GraphNode: g.Nodes.Add(Node(input.ReadBytes())); break;
                case GraphName: g.Name = input.ReadString(); break;
                case GraphInitializer: g.Initializers.Add(Tensor(input.ReadBytes())); break;
                case GraphInput: g.Inputs.Add(ValueInfo(input.ReadBytes())); break;
                case GraphOutput: g.Outputs.Add(ValueInfo(input.ReadBytes())); break;
                default: input.SkipLastField(); break;
            }
        });
        // Older writers list initializers among the inputs too; they are not inputs to feed.
        g.Inputs.RemoveAll(v => g.Initializers.Any(t => t.Name == v.Name));
        return g;
    }

    static OnnxNode Node(ByteString bytes)
    {
        var inputs = new List<string>();
        var outputs = new List<string>();
        var attributes = new List<OnnxAttribute>();
        string name = "", op = "", domain = "";
        Fields(bytes, (field, input) =>
        {
            switch (field)
            {
                case NodeInput: inputs.Add(input.ReadString()); break;
                case NodeOutput: outputs.Add(input.ReadString()); break;
                case NodeName: name = input.ReadString(); break;
                case NodeOpType: op = input.ReadString(); break;
                case NodeDomain: domain = input.ReadString(); break;
                case NodeAttribute: attributes.Add(Attribute(input.ReadBytes())); break;
                default: input.SkipLastField(); break;
            }
        });
        return new OnnxNode(op, name, inputs, outputs, attributes, domain);
    }

    static OnnxAttribute Attribute(ByteString bytes)
    {
        string name = "";
        long? i = null;
        float? f = null;
        string? s = null;
        var ints = new List<long>();
        var floats = new List<float>();
        int type = 0;
        Fields(bytes, (field, input) =>
        {
            switch (field)
            {
                case AttrName: name = input.ReadString(); break;
                case AttrI: i = input.ReadInt64(); break;
                case AttrF: f = input.ReadFloat(); break;
                case AttrS: s = input.ReadBytes().ToStringUtf8(); break;
                case AttrInts: Repeated(input, ints, c => c.ReadInt64()); break;
                case AttrFloats: Repeated(input, floats, c => c.ReadFloat()); break;
                case AttrType: type = input.ReadEnum(); break;
                default: input.SkipLastField(); break;
            }
        });
        return type switch
        {
            AttrTypeInts => new OnnxAttribute(name, Ints: ints.ToArray()),
            AttrTypeFloats => new OnnxAttribute(name, Floats: floats.ToArray()),
            _ => new OnnxAttribute(name, i, f, s),
        };
    }

    static OnnxTensor Tensor(ByteString bytes)
    {
        var dims = new List<long>();
        var floats = new List<float>();
        var int32s = new List<int>();
        var int64s = new List<long>();
        int type = 0;
        string name = "";
        byte[]? raw = null;
        Fields(bytes, (field, input) =>
        {
            switch (field)
            {
                case TensorDims: Repeated(input, dims, c => c.ReadInt64()); break;
                case TensorDataType: type = input.ReadInt32(); break;
                case TensorName: name = input.ReadString(); break;
                case TensorRawData: raw = input.ReadBytes().ToByteArray(); break;
                case TensorFloatData: Repeated(input, floats, c => c.ReadFloat()); break;
                case TensorInt32Data: Repeated(input, int32s, c => c.ReadInt32()); break;
                case TensorInt64Data: Repeated(input, int64s, c => c.ReadInt64()); break;
                default: input.SkipLastField(); break;
            }
        });
        var dataType = (OnnxDataType)type;
        raw ??= dataType switch
        {
            OnnxDataType.Float => MemoryMarshal.AsBytes(floats.ToArray().AsSpan()).ToArray(),
            OnnxDataType.Int64 => MemoryMarshal.AsBytes(int64s.ToArray().AsSpan()).ToArray(),
            OnnxDataType.Int32 => MemoryMarshal.AsBytes(int32s.ToArray().AsSpan()).ToArray(),
            // int32_data carries the 8-bit types one value per element.
            OnnxDataType.Int8 or OnnxDataType.UInt8 => int32s.Select(v => (byte)v).ToArray(),
            _ => Array.Empty<byte>(),
        };
        return new OnnxTensor(name, dataType, dims.ToArray(), raw);
    }

    static OnnxValueInfo ValueInfo(ByteString bytes)
    {
        string name = "";
        int elem = 0;
        var dims = new List<long?>();
        var dimParams = new List<string?>();
        Fields(bytes, (field, input) =>
        {
            if (field == ValueInfoName) name = input.ReadString();
            else if (field == ValueInfoType)
                Fields(input.ReadBytes(), (f, t) =>
                {
                    if (f != TypeTensor) { t.SkipLastField(); return; }
                    Fields(t.ReadBytes(), (f2, tt) =>
                    {
                        if (f2 == TensorTypeElemType) elem = tt.ReadInt32();
                        else if (f2 == TensorTypeShape)
                            Fields(tt.ReadBytes(), (f3, sh) =>
                            {
                                if (f3 != ShapeDim) { sh.SkipLastField(); return; }
                                long? value = null;
                                string? param = null;
                                Fields(sh.ReadBytes(), (f4, d) =>
                                {
                                    if (f4 == DimValue) value = d.ReadInt64();
                                    else if (f4 == DimParam) param = d.ReadString();
                                    else d.SkipLastField();
                                });
                                dims.Add(value);
                                dimParams.Add(param);
                            });
                        else tt.SkipLastField();
                    });
                });
            else input.SkipLastField();
        });
        return new OnnxValueInfo(name, (OnnxDataType)elem, dims.ToArray(), dimParams.ToArray());
    }

    // Repeated scalars may come packed (one length-delimited run) or one tag per value.
    static void Repeated<T>(CodedInputStream input, List<T> into, Func<CodedInputStream, T> read)
    {
        if (WireFormat.GetTagWireType(lastTag) == WireFormat.WireType.LengthDelimited)
        {
            var packed = new CodedInputStream(input.ReadBytes().ToByteArray());
            while (!packed.IsAtEnd) into.Add(read(packed));
        }
        else into.Add(read(input));
    }

    // The tag being handled: the callbacks get its field number, Repeated also needs its wire type.
    [ThreadStatic] static uint lastTag;

    static void Fields(ByteString bytes, Action<int, CodedInputStream> onField)
    {
        var input = new CodedInputStream(bytes.ToByteArray());
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            lastTag = tag;
            onField(WireFormat.GetTagFieldNumber(tag), input);
        }
    }
}
