using static TorchSharp.torch.optim;

namespace Kindling.Optim.Schedulers;

/// <summary>
/// PyTorch's CosineAnnealingWarmRestarts (SGDR): a cosine from the base LR down to <c>eta_min</c>
/// over T_i steps, then a restart, with T_i = T_0 * T_mult^k for the k-th cycle. Step it per epoch
/// with <see cref="LrScheduler.Step"/>, or per batch with fractional epochs through
/// <see cref="Step(double)"/> (<c>epoch + batch / batches_per_epoch</c>), as PyTorch allows.
/// TorchSharp lacks it; the seeds use it.
/// </summary>
public sealed class CosineAnnealingWarmRestarts : LrScheduler
{
    readonly int t0, tMult;
    readonly double etaMin;
    double tI, tCur;

    public CosineAnnealingWarmRestarts(Optimizer optimizer, int T_0, int T_mult = 1, double eta_min = 0, ScheduleUnit unit = ScheduleUnit.Epoch)
        : base(optimizer, unit)
    {
        if (T_0 < 1) throw new ArgumentOutOfRangeException(nameof(T_0), T_0, "T_0 must be a positive number of steps.");
        if (T_mult < 1) throw new ArgumentOutOfRangeException(nameof(T_mult), T_mult, "T_mult must be an integer >= 1.");
        t0 = T_0;
        tMult = T_mult;
        etaMin = eta_min;
        tI = T_0;
        tCur = -1;
        Start();
    }

    /// <summary>Steps within the current cycle (fractional when stepped with fractional epochs).</summary>
    public double TCur => tCur;

    /// <summary>Length of the current cycle.</summary>
    public double TI => tI;

    public override void Step()
    {
        LastEpoch++;
        tCur += 1;
        if (tCur >= tI)
        {
            tCur -= tI;
            tI *= tMult;
        }
        Apply(LrAt(LastEpoch));
    }

    /// <summary>Sets the schedule to a (possibly fractional) epoch, as PyTorch's <c>step(epoch)</c>.</summary>
    public void Step(double epoch)
    {
        if (epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch), epoch, "epoch must be >= 0.");
        if (epoch >= t0)
        {
            if (tMult == 1)
            {
                tCur = epoch % t0;
            }
            else
            {
                int n = (int)Math.Log(epoch / t0 * (tMult - 1) + 1, tMult);
                tCur = epoch - t0 * (Math.Pow(tMult, n) - 1) / (tMult - 1);
                tI = t0 * Math.Pow(tMult, n);
            }
        }
        else
        {
            tI = t0;
            tCur = epoch;
        }
        LastEpoch = (int)Math.Floor(epoch);
        Apply(LrAt(LastEpoch));
    }

    protected override double[] LrAt(int step) =>
        BaseLrs.Select(lr => etaMin + (lr - etaMin) * (1 + Math.Cos(Math.PI * tCur / tI)) / 2).ToArray();

    public override Dictionary<string, double> StateDict()
    {
        var s = base.StateDict();
        s["T_i"] = tI;
        s["T_cur"] = tCur;
        return s;
    }

    public override void LoadStateDict(IReadOnlyDictionary<string, double> state)
    {
        tI = state["T_i"];
        tCur = state["T_cur"];
        base.LoadStateDict(state);
    }
}
