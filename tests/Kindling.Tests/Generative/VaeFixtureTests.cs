using Kindling.Data.Datasets;
using Kindling.Generative.Vae;
using Kindling.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tests.Generative;

/// <summary>Seed 004's VAE against PyTorch (Oracle/make_generative_fixtures.py): the network layer for layer, the KL and reconstruction terms, the ELBO.</summary>
public class VaeFixtureTests
{
    static System.Text.Json.JsonElement Fixture => OracleFixtures.Json("generative/generative.json").RootElement.GetProperty("vae");

    [Fact]
    public void TheSeedsVaeEncodesAndDecodesAsPyTorchWithItsParameterNames()
    {
        TorchRuntime.EnsureLoaded();
        var f = Fixture;
        using var vae = new MlpVae(new ImageShape(1, 3, 3), hidden: 6, latent: 3);
        vae.to(float64);
        JsonTensors.Load(vae, f.GetProperty("state"));
        var x = JsonTensors.Of(f.GetProperty("x"));
        var (mu, logVar) = vae.Encode(x);
        Assert.True(allclose(mu, JsonTensors.Of(f.GetProperty("mu")), 1e-10, 1e-12));
        Assert.True(allclose(logVar, JsonTensors.Of(f.GetProperty("logvar")), 1e-10, 1e-12));
        var z = JsonTensors.Of(f.GetProperty("z"));
        Assert.True(allclose(mu + JsonTensors.Of(f.GetProperty("eps")) * (0.5 * logVar).exp(), z, 1e-10, 1e-12));
        var logits = vae.DecodeLogits(z);
        Assert.Equal([4L, 1, 3, 3], logits.shape);
        Assert.True(allclose(logits.reshape(4, 9), JsonTensors.Of(f.GetProperty("logits")), 1e-10, 1e-12));
        Assert.True(allclose(vae.Decode(z).reshape(4, 9), JsonTensors.Of(f.GetProperty("recon")), 1e-10, 1e-12));
    }

    [Fact]
    public void KlAndReconstructionTermsAndTheElboEqualTheSeedsLoss()
    {
        TorchRuntime.EnsureLoaded();
        var f = Fixture;
        var x = JsonTensors.Of(f.GetProperty("x"));
        var logits = JsonTensors.Of(f.GetProperty("logits")).reshape(4, 1, 3, 3);
        var mu = JsonTensors.Of(f.GetProperty("mu"));
        var logVar = JsonTensors.Of(f.GetProperty("logvar"));
        // Computed in float32 (as training does): agreement to float32 precision.
        var reconstruction = VaeLoss.Reconstruction(logits, x);
        var kl = VaeLoss.Kl(mu, logVar);
        Assert.True(allclose(reconstruction.to(float64), JsonTensors.Of(f.GetProperty("bce_per_image")), 1e-5, 1e-5));
        Assert.True(allclose(kl.to(float64), JsonTensors.Of(f.GetProperty("kl_per_image")), 1e-5, 1e-6));
        double bce = reconstruction.sum().item<float>(), kld = kl.sum().item<float>();
        Assert.Equal(f.GetProperty("bce_sum").GetDouble(), bce, 3);
        Assert.Equal(f.GetProperty("kld_sum").GetDouble(), kld, 4);
        Assert.Equal(f.GetProperty("loss_sum").GetDouble(), bce + kld, 3);
        Assert.Equal(f.GetProperty("beta4_loss_sum").GetDouble(), bce + 4 * kld, 3);
        // The KL of the prior against itself is 0, and it is never negative.
        Assert.Equal(0, VaeLoss.Kl(zeros(2, 3), zeros(2, 3)).abs().max().item<float>(), 6);
        Assert.True(VaeLoss.Kl(randn(50, 4), randn(50, 4)).min().item<float>() >= 0);
    }
}
