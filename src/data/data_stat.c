#include "data_impl.h"
int data_write_stat(struct data_job *j, enum data_format fmt, struct error *err)
{
	(void)j;
	(void)fmt;
	error_set(err, NULL, "尚未实现", "not implemented yet");
	return -1;
}
