using Kindling.Config.Runs;
using Kindling.Diagnostics.Doctor;

namespace Kindling.Config.Tools;

/// <summary>The doctor's subject from a built recipe: Diagnostics takes plain pieces, Config assembles them.</summary>
public static class RecipeDoctor
{
    /// <summary>The subject of a built recipe: its model and task, training loader, transforms and trainer options.</summary>
    public static DoctorSubject Subject(RecipeRun run) => new()
    {
        Model = run.Model,
        Task = run.Task,
        TrainLoader = run.TrainLoader,
        TrainTransform = run.TrainTransform,
        EvalTransform = run.EvalTransform,
        Trainer = run.TrainerOptions,
        ValidatesOnTest = run.ValidatesOnTest,
    };
}
