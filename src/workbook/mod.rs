//! Output workbooks: answers written into the customer's own file ([`patch`], or a same-shaped `.xlsx` copy for
//! formats that cannot be edited in place, [`convert`]), and the review workbook ([`review`]).

pub mod convert;
pub mod patch;
pub mod review;
