using Google.Protobuf;

namespace Kindling.Tests.Reporting;

/// <summary>
/// A protobuf message's fields read off the wire, without generated classes: to decode messages
/// (such as TensorBoard's hparams plugin data) by the field numbers their .proto files give.
/// </summary>
sealed class ProtoFields
{
    readonly List<(int Field, WireFormat.WireType Type, ulong Bits, byte[]? Bytes)> fields = new();

    public ProtoFields(byte[] message)
    {
        var input = new CodedInputStream(message);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            int field = WireFormat.GetTagFieldNumber(tag);
            var type = WireFormat.GetTagWireType(tag);
            switch (type)
            {
                case WireFormat.WireType.Varint: fields.Add((field, type, input.ReadUInt64(), null)); break;
                case WireFormat.WireType.Fixed64: fields.Add((field, type, input.ReadFixed64(), null)); break;
                case WireFormat.WireType.Fixed32: fields.Add((field, type, input.ReadFixed32(), null)); break;
                case WireFormat.WireType.LengthDelimited: fields.Add((field, type, 0, input.ReadBytes().ToByteArray())); break;
                default: throw new InvalidDataException($"wire type {type} of field {field} is not expected here");
            }
        }
    }

    public IEnumerable<int> Numbers => fields.Select(f => f.Field);

    public IEnumerable<ProtoFields> Messages(int field) => fields.Where(f => f.Field == field).Select(f => new ProtoFields(f.Bytes!));
    public ProtoFields Message(int field) => Messages(field).Single();
    public byte[] Bytes(int field) => fields.Single(f => f.Field == field).Bytes!;
    public string String(int field) => System.Text.Encoding.UTF8.GetString(Bytes(field));
    public double Double(int field) => BitConverter.Int64BitsToDouble((long)fields.Single(f => f.Field == field && f.Type == WireFormat.WireType.Fixed64).Bits);
    public ulong Varint(int field) => fields.Single(f => f.Field == field && f.Type == WireFormat.WireType.Varint).Bits;
    public bool Has(int field) => fields.Any(f => f.Field == field);
}
