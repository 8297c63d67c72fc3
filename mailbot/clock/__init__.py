"""UK working days and FOI/EIR/SAR deadlines. Pure: dates in, dates out."""
