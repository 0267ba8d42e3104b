using Google.Protobuf;
using static Kindling.Export.Onnx.Proto.ProtoFields;

namespace Kindling.Export.Onnx.Proto;

/// <summary>
/// Serialises an <see cref="OnnxModel"/> as ONNX ModelProto bytes with Google.Protobuf's wire-format
/// primitives. Nested messages are written to their own buffer first so their length prefix is known;
/// repeated scalars are written unpacked, as onnx.proto (proto2) declares them.
/// </summary>
static class OnnxProtoWriter
{
    public static byte[] Write(OnnxModel model)
    {
        return Message(o =>
        {
            o.WriteTag(ModelIrVersion, WireFormat.WireType.Varint);
            o.WriteInt64(model.IrVersion);
            String(o, ModelProducerName, model.ProducerName);
            String(o, ModelProducerVersion, model.ProducerVersion);
            Nested(o, ModelGraph, Graph(model.Graph));
            Nested(o, ModelOpsetImport, Message(s =>
            {
                String(s, OpsetDomain, "");
                s.WriteTag(OpsetVersion, WireFormat.WireType.Varint);
                s.WriteInt64(model.Opset);
            }));
            if (model.Graph.Nodes.Any(n => n.Domain == "com.microsoft"))
                Nested(o, ModelOpsetImport, Message(s =>
                {
                    String(s, OpsetDomain, "com.microsoft");
                    s.WriteTag(OpsetVersion, WireFormat.WireType.Varint);
                    s.WriteInt64(1);
                }));
            // Ordinal order: the same metadata gives the same bytes.
            foreach (var (key, value) in model.Metadata.OrderBy(e => e.Key, StringComparer.Ordinal))
                Nested(o, ModelMetadataProps, Message(s =>
                {
                    String(s, EntryKey, key);
                    String(s, EntryValue, value);
                }));
        });
    }

    static byte[] Graph(OnnxGraph graph) => Message(o =>
    {
        foreach (var n in graph.Nodes) Nested(o, GraphNode, Node(n));
        String(o, GraphName, graph.Name);
        foreach (var t in graph.Initializers) Nested(o, GraphInitializer, Tensor(t));
        foreach (var v in graph.Inputs) Nested(o, GraphInput, ValueInfo(v));
        foreach (var v in graph.Outputs) Nested(o, GraphOutput, ValueInfo(v));
    });

    static byte[] Node(OnnxNode node) => Message(o =>
    {
        foreach (var i in node.Inputs) String(o, NodeInput, i);
        foreach (var x in node.Outputs) String(o, NodeOutput, x);
        String(o, NodeName, node.Name);
        String(o, NodeOpType, node.OpType);
        foreach (var a in node.Attributes) Nested(o, NodeAttribute, Attribute(a));
        if (node.Domain.Length > 0) String(o, NodeDomain, node.Domain);
    });

    static byte[] Attribute(OnnxAttribute a) => Message(o =>
    {
        String(o, AttrName, a.Name);
        int type;
        if (a.Int is long i)
        {
            o.WriteTag(AttrI, WireFormat.WireType.Varint);
            o.WriteInt64(i);
            type = AttrTypeInt;
        }
        else if (a.Float is float f)
        {
            o.WriteTag(AttrF, WireFormat.WireType.Fixed32);
            o.WriteFloat(f);
            type = AttrTypeFloat;
        }
        else if (a.String is string s)
        {
            String(o, AttrS, s);
            type = AttrTypeString;
        }
        else if (a.Ints is long[] ints)
        {
            foreach (var v in ints)
            {
                o.WriteTag(AttrInts, WireFormat.WireType.Varint);
                o.WriteInt64(v);
            }
            type = AttrTypeInts;
        }
        else if (a.Floats is float[] floats)
        {
            foreach (var v in floats)
            {
                o.WriteTag(AttrFloats, WireFormat.WireType.Fixed32);
                o.WriteFloat(v);
            }
            type = AttrTypeFloats;
        }
        else throw new InvalidOperationException($"Attribute '{a.Name}' has no value.");
        o.WriteTag(AttrType, WireFormat.WireType.Varint);
        o.WriteEnum(type);
    });

    static byte[] Tensor(OnnxTensor t) => Message(o =>
    {
        foreach (var d in t.Dims)
        {
            o.WriteTag(TensorDims, WireFormat.WireType.Varint);
            o.WriteInt64(d);
        }
        o.WriteTag(TensorDataType, WireFormat.WireType.Varint);
        o.WriteInt32((int)t.DataType);
        String(o, TensorName, t.Name);
        o.WriteTag(TensorRawData, WireFormat.WireType.LengthDelimited);
        o.WriteBytes(ByteString.CopyFrom(t.RawData));
    });

    static byte[] ValueInfo(OnnxValueInfo v) => Message(o =>
    {
        String(o, ValueInfoName, v.Name);
        var shape = Message(s =>
        {
            for (int i = 0; i < v.Dims.Length; i++)
                Nested(s, ShapeDim, Message(d =>
                {
                    if (v.Dims[i] is long value)
                    {
                        d.WriteTag(DimValue, WireFormat.WireType.Varint);
                        d.WriteInt64(value);
                    }
                    else String(d, DimParam, v.DimParams[i] ?? $"dim{i}");
                }));
        });
        var tensorType = Message(t =>
        {
            t.WriteTag(TensorTypeElemType, WireFormat.WireType.Varint);
            t.WriteInt32((int)v.ElementType);
            // No dimensions means the shape is not stated (an unknown rank), not a scalar.
            if (v.Dims.Length > 0) Nested(t, TensorTypeShape, shape);
        });
        Nested(o, ValueInfoType, Message(t => Nested(t, TypeTensor, tensorType)));
    });

    static void String(CodedOutputStream o, int field, string value)
    {
        o.WriteTag(field, WireFormat.WireType.LengthDelimited);
        o.WriteString(value);
    }

    static void Nested(CodedOutputStream o, int field, byte[] message)
    {
        o.WriteTag(field, WireFormat.WireType.LengthDelimited);
        o.WriteBytes(ByteString.CopyFrom(message));
    }

    static byte[] Message(Action<CodedOutputStream> write)
    {
        using var buffer = new MemoryStream();
        using (var o = new CodedOutputStream(buffer, leaveOpen: true))
        {
            write(o);
            o.Flush();
        }
        return buffer.ToArray();
    }
}
