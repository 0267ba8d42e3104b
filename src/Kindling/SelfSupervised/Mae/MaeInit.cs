using TorchSharp;
using TorchSharp.Modules;

namespace Kindling.SelfSupervised.Mae;

/// <summary>MAE's initialisation of its linear layers: xavier-uniform weights and zero biases (LayerNorms keep 1 and 0).</summary>
static class MaeInit
{
    public static void Linears(torch.nn.Module module)
    {
        using var _ = torch.no_grad();
        foreach (var (_, m) in module.named_modules())
            if (m is Linear l)
            {
                torch.nn.init.xavier_uniform_(l.weight);
                if (l.bias is not null) torch.nn.init.zeros_(l.bias);
            }
    }
}
