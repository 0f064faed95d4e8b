"""Other spellings of ops that have a rule: torch computes the same function under another name
(``torch.arcsin`` is ``torch.asin``, ``torch.special.expit`` is ``torch.sigmoid``), so each gets
its canonical op's rule, registered here once the rule families are imported. Spellings whose
canonical rule tests the function object itself (comparisons read as label tests,
``logsumexp``'s reduction) are left out: under another name those rules would take another path.
"""

from __future__ import annotations

import torch
from torch import Tensor

from . import elementwise, formulas
from .mode import RULES, rule

# more element-wise functions of one tensor, as ``elementwise.unary`` follows them
rule(Tensor.asinh, torch.asinh, Tensor.acosh, torch.acosh, Tensor.trunc, torch.trunc, torch.exp2, Tensor.erfc,
     torch.erfc, Tensor.lgamma, torch.lgamma, Tensor.digamma, torch.digamma)(elementwise.unary)

ALIASES = {  # canonical -> the other spellings of the same function
    torch.asin: (torch.arcsin, Tensor.arcsin),
    torch.acos: (torch.arccos, Tensor.arccos),
    torch.atan: (torch.arctan, Tensor.arctan),
    torch.asinh: (torch.arcsinh, Tensor.arcsinh),
    torch.acosh: (torch.arccosh, Tensor.arccosh),
    torch.atanh: (torch.arctanh, Tensor.arctanh),
    torch.atan2: (torch.arctan2, Tensor.arctan2),
    torch.abs: (torch.absolute, Tensor.absolute),
    torch.trunc: (torch.fix, Tensor.fix),
    torch.sign: (torch.sgn, Tensor.sgn),
    Tensor.neg: (Tensor.negative,),
    Tensor.mul: (Tensor.multiply,),
    Tensor.sub: (Tensor.subtract,),
    Tensor.div: (Tensor.divide,),
    torch.sigmoid: (torch.special.expit,),
    torch.exp2: (torch.special.exp2,),
    torch.expm1: (torch.special.expm1,),
    torch.log1p: (torch.special.log1p,),
    torch.erf: (torch.special.erf,),
    torch.erfc: (torch.special.erfc,),
    torch.lgamma: (torch.special.gammaln,),
    torch.digamma: (torch.special.digamma, torch.special.psi),
    torch.round: (torch.special.round,),
    torch.xlogy: (torch.special.xlogy,),
    torch.softmax: (torch.special.softmax,),
    torch.log_softmax: (torch.special.log_softmax,),
}

for _canonical, _spellings in ALIASES.items():
    rule(*_spellings)(RULES[_canonical])
    if _canonical in formulas.FUNCTIONS:  # ``torch.special.expit`` of a reduced loss, as ``torch.sigmoid``
        formulas.FUNCTIONS.update(dict.fromkeys(_spellings, formulas.FUNCTIONS[_canonical]))
