namespace Kindling.Export.Onnx.Proto;

/// <summary>
/// Field numbers of the ONNX messages Kindling writes and reads, from the ONNX IR specification
/// (onnx.proto, proto2 syntax). Kept as constants in one place so writer and reader agree.
/// </summary>
static class ProtoFields
{
    // ModelProto
    public const int ModelIrVersion = 1, ModelProducerName = 2, ModelProducerVersion = 3, ModelGraph = 7, ModelOpsetImport = 8, ModelMetadataProps = 14;
    // StringStringEntryProto
    public const int EntryKey = 1, EntryValue = 2;
    // OperatorSetIdProto
    public const int OpsetDomain = 1, OpsetVersion = 2;
    // GraphProto
    public const int GraphNode = 1, GraphName = 2, GraphInitializer = 5, GraphInput = 11, GraphOutput = 12;
    // NodeProto
    public const int NodeInput = 1, NodeOutput = 2, NodeName = 3, NodeOpType = 4, NodeAttribute = 5, NodeDomain = 7;
    // AttributeProto
    public const int AttrName = 1, AttrF = 2, AttrI = 3, AttrS = 4, AttrFloats = 7, AttrInts = 8, AttrType = 20;
    // AttributeProto.AttributeType
    public const int AttrTypeFloat = 1, AttrTypeInt = 2, AttrTypeString = 3, AttrTypeFloats = 6, AttrTypeInts = 7;
    // TensorProto
    public const int TensorDims = 1, TensorDataType = 2, TensorFloatData = 4, TensorInt32Data = 5, TensorInt64Data = 7, TensorName = 8, TensorRawData = 9;
    // ValueInfoProto, TypeProto, TypeProto.Tensor, TensorShapeProto, TensorShapeProto.Dimension
    public const int ValueInfoName = 1, ValueInfoType = 2;
    public const int TypeTensor = 1;
    public const int TensorTypeElemType = 1, TensorTypeShape = 2;
    public const int ShapeDim = 1;
    public const int DimValue = 1, DimParam = 2;
}
